import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapping } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A stack frame whose location is a bundle file: `at fn (<location>)`, or bare `at <location>` (`at async` too),
 * the location an absolute path or a file URL of a `.mjs` file with its line and column.
 */
const FRAME = /^(\s*at (?:.*\(|async )?)((?:file:\/\/)?\/[^()]*?\.mjs):(\d+):(\d+)(\)?)$/;

/** Each bundle file's parsed source map, or null when it has none that parses; a process ships one set of files. */
const maps = new Map<string, SourceMap | null>();
/** More files than a function's bundle has (its index.mjs and chunks): past it, nothing new is read. */
const MAX_FILES = 64;

function sourceMapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    if (maps.size >= MAX_FILES) return null;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}

/** `file:line:column` in the original source, or undefined when the map has nothing for that position. */
function originalLocation(file: string, line: number, column: number): string | undefined {
  const map = sourceMapOf(file);
  const entry = map?.findEntry(line - 1, column - 1) as Partial<SourceMapping> | undefined;
  // findEntry answers with the nearest mapping before the position, even one on an earlier line: not this code.
  if (typeof entry?.originalSource !== 'string' || entry.generatedLine !== line - 1) return undefined;
  if (typeof entry.originalLine !== 'number' || typeof entry.originalColumn !== 'number') return undefined;
  // Like Node's --enable-source-maps: the source resolved against the map's location, a path when it is a file.
  const source = new URL(entry.originalSource, pathToFileURL(`${file}.map`));
  const path = source.protocol === 'file:' ? fileURLToPath(source) : source.href;
  return `${path}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

/** A frame line pointing at the original source, or the line as it is (no mapping, not a frame, any failure). */
function mapFrame(line: string): string {
  try {
    return line.replace(
      FRAME,
      (frame, before: string, location: string, row: string, column: string, after: string) => {
        const file = location.startsWith('file:') ? fileURLToPath(location) : location;
        const original = originalLocation(file, Number(row), Number(column));
        return original === undefined ? frame : `${before}${original}${after}`;
      },
    );
  } catch {
    return line;
  }
}

/** Each bundle frame of `frames` (a stack without its `name: message` header) mapped by `mapFrame`. */
export function mapFrames(frames: string): string {
  return frames.split('\n').map(mapFrame).join('\n');
}

/**
 * The error's stack with each bundle frame pointing at the original source file, line and column, as
 * `--enable-source-maps` would print them (though function names stay minified), but only when asked: that flag
 * parses every bundle's map at each cold start. The `name: message` header is never touched, so a message that looks
 * like a frame (a provider's text) stays as it was; a stack not starting with it is left as it is.
 */
export function mappedStack({ name, message, stack }: Error): string | undefined {
  if (typeof stack !== 'string') return stack;
  const header = message ? `${name}: ${message}` : String(name);
  return stack.startsWith(header) ? header + mapFrames(stack.slice(header.length)) : stack;
}
