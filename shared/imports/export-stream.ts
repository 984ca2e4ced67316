import { ElementParser, MalformedElement } from '#shared/imports/export-elements.js';
import { mapElement, type SdkItems } from '#shared/imports/export-mapping.js';
import { ExportSplitter } from '#shared/imports/export-splitter.js';

/** One top-level element of the export, read and mapped: where the next one starts, and what it gave. */
export interface ReadElement {
  end: number;
  outcome: 'mapped' | 'ignored' | 'malformed';
  items: SdkItems;
}

/**
 * The export's top-level elements from `offset` on (0, or the end of an element read before), mapped to SDK
 * items one at a time: the stream is consumed chunk by chunk and never held whole. A malformed element is
 * reported as such and the reading goes on; a file whose structure is lost throws ExportStructureError.
 */
export async function* readExport(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  offset = 0,
): AsyncGenerator<ReadElement> {
  const splitter = new ExportSplitter(offset);
  const parser = new ElementParser();
  for await (const chunk of chunks) {
    for (const element of splitter.push(chunk)) {
      const items: SdkItems = { records: [], sleep: [], workouts: [] };
      let outcome: ReadElement['outcome'];
      try {
        outcome = mapElement(parser.parse(element.bytes), items) ? 'mapped' : 'ignored';
      } catch (error) {
        if (!(error instanceof MalformedElement)) throw error;
        outcome = 'malformed';
        items.records.length = items.sleep.length = items.workouts.length = 0;
      }
      yield { end: element.end, outcome, items };
    }
    if (splitter.done) return;
  }
}
