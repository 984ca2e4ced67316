/**
 * Splits an Apple Health export.xml byte stream into its top-level elements (the children of `HealthData`:
 * `Record`, `Workout`, `Correlation`, `ActivitySummary`, `ExportDate`, `Me`...), each with its byte range, so that
 * an import can checkpoint at an element boundary and resume there with a ranged read. A lexer over bytes, not
 * characters: every byte it looks at is ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte character,
 * so offsets are exact whatever the text holds. It only finds the boundaries (tags, quoted attribute values,
 * comments, processing instructions, CDATA, the DOCTYPE with its internal subset); the elements themselves go to
 * the SAX parser (export-elements.ts).
 */

export interface TopLevelElement {
  /** Byte offset of its `<` in the object, and one past its final `>`. */
  start: number;
  end: number;
  bytes: Buffer;
}

/** A single top-level element larger than this means the file's structure is broken, not a big workout. */
export const MAX_ELEMENT_BYTES = 16 * 1024 * 1024;

export class ExportStructureError extends Error {
  override name = 'ExportStructureError';
}

enum S {
  Text,
  TagOpen,
  StartTag,
  AttrValue,
  EndTag,
  Bang,
  Comment,
  Cdata,
  Decl,
  DeclComment,
  Pi,
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DASH = 0x2d;
const RSQB = 0x5d;
const LSQB = 0x5b;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

export class ExportSplitter {
  private state = S.Text;
  /** Element nesting: 0 outside the root, 1 inside `HealthData` (where a resumed read starts). */
  private depth: number;
  private offset: number;
  private quote = 0;
  /** The last bytes seen, for the multi-byte terminators (`-->`, `]]>`, `?>`, `/>`). */
  private prev1 = 0;
  private prev2 = 0;
  private bangText = '';
  private declBrackets = 0;
  private declQuote = 0;
  private elementStart = -1;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private rootClosed = false;

  /** `offset`: where the bytes fed first sit in the object; non-zero only when resuming inside the root. */
  constructor(offset = 0) {
    this.offset = offset;
    this.depth = offset > 0 ? 1 : 0;
  }

  /** True once `</HealthData>` was read: anything after it is ignored. */
  get done(): boolean {
    return this.rootClosed;
  }

  /** The elements completed by this chunk, in order. */
  push(chunk: Buffer): TopLevelElement[] {
    const out: TopLevelElement[] = [];
    const base = this.offset;
    let sliceFrom = this.elementStart >= 0 ? 0 : -1;
    for (let i = 0; i < chunk.length && !this.rootClosed; i++) {
      const c = chunk[i]!;
      switch (this.state) {
        case S.Text:
          if (c === LT) {
            this.state = S.TagOpen;
            if (this.depth === 1) {
              this.elementStart = base + i;
              sliceFrom = i;
            }
          }
          break;
        case S.TagOpen:
          if (c === SLASH) this.state = S.EndTag;
          else if (c === BANG) {
            this.state = S.Bang;
            this.bangText = '';
          } else if (c === QUESTION) this.state = S.Pi;
          else this.state = S.StartTag;
          if ((c === BANG || c === QUESTION) && this.depth === 1) {
            this.discardElement();
            sliceFrom = -1;
          }
          break;
        case S.StartTag:
          if (c === DQUOTE || c === SQUOTE) {
            this.quote = c;
            this.state = S.AttrValue;
          } else if (c === GT) {
            this.state = S.Text;
            if (this.prev1 !== SLASH) this.depth++;
            else if (this.depth === 1) this.emit(chunk, sliceFrom, i, base, out);
          }
          break;
        case S.AttrValue:
          if (c === this.quote) this.state = S.StartTag;
          break;
        case S.EndTag:
          if (c === GT) {
            this.state = S.Text;
            this.depth--;
            if (this.depth === 1) this.emit(chunk, sliceFrom, i, base, out);
            else if (this.depth <= 0) this.rootClosed = true;
          }
          break;
        case S.Bang:
          this.bangText += String.fromCharCode(c);
          if (this.bangText === '--') this.state = S.Comment;
          else if (this.bangText === '[CDATA[') this.state = S.Cdata;
          else if (!'--'.startsWith(this.bangText) && !'[CDATA['.startsWith(this.bangText)) {
            this.state = S.Decl;
            this.declBrackets = 0;
            this.declQuote = 0;
            this.stepDecl(c);
          }
          break;
        case S.Comment:
          if (c === GT && this.prev1 === DASH && this.prev2 === DASH) this.state = S.Text;
          break;
        case S.Cdata:
          if (c === GT && this.prev1 === RSQB && this.prev2 === RSQB) this.state = S.Text;
          break;
        case S.Decl:
          this.stepDecl(c);
          break;
        case S.DeclComment:
          if (c === GT && this.prev1 === DASH && this.prev2 === DASH) this.state = S.Decl;
          break;
        case S.Pi:
          if (c === GT && this.prev1 === QUESTION) this.state = S.Text;
          break;
      }
      this.prev2 = this.prev1;
      this.prev1 = c;
    }
    if (this.elementStart >= 0 && !this.rootClosed) {
      const rest = chunk.subarray(Math.max(sliceFrom, 0));
      this.parts.push(rest);
      this.partsBytes += rest.length;
      if (this.partsBytes > MAX_ELEMENT_BYTES) {
        throw new ExportStructureError(
          `An element at byte ${this.elementStart} exceeds ${MAX_ELEMENT_BYTES} bytes: the file is not a well-formed export`,
        );
      }
    }
    this.offset = base + chunk.length;
    return out;
  }

  /** Comments and processing instructions between elements are not elements. */
  private discardElement() {
    this.elementStart = -1;
    this.parts = [];
    this.partsBytes = 0;
  }

  /** Inside `<!DOCTYPE ... [ ... ]>`: quotes, the bracketed internal subset and comments in it. */
  private stepDecl(c: number) {
    if (this.declQuote) {
      if (c === this.declQuote) this.declQuote = 0;
    } else if (c === DQUOTE || c === SQUOTE) this.declQuote = c;
    else if (c === LSQB) this.declBrackets++;
    else if (c === RSQB) this.declBrackets--;
    else if (c === DASH && this.prev1 === DASH && this.prev2 === BANG && this.declBrackets > 0) {
      this.state = S.DeclComment;
    } else if (c === GT && this.declBrackets <= 0) this.state = S.Text;
  }

  private emit(chunk: Buffer, sliceFrom: number, i: number, base: number, out: TopLevelElement[]) {
    const tail = chunk.subarray(Math.max(sliceFrom, 0), i + 1);
    const bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]);
    out.push({ start: this.elementStart, end: base + i + 1, bytes });
    this.discardElement();
  }
}
