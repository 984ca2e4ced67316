import { SaxesParser } from 'saxes';

/** A parsed element of the export: its attributes and child elements (export.xml carries no text content). */
export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

export class MalformedElement extends Error {
  override name = 'MalformedElement';
}

/**
 * The SAX parser over the top-level elements the splitter finds. One parser lives across elements, opened on a
 * stand-in root, so each element is parsed as the child of `HealthData` it is; an element that is not
 * well-formed throws `MalformedElement` and the next one gets a fresh parser.
 */
export class ElementParser {
  private parser!: SaxesParser;
  private stack: XmlNode[] = [];
  private rootOpen = false;
  private completed: XmlNode | undefined;

  constructor() {
    this.reset();
  }

  private reset() {
    this.stack = [];
    this.rootOpen = false;
    this.completed = undefined;
    const parser = new SaxesParser({ position: false });
    parser.on('opentag', (tag) => {
      if (!this.rootOpen) {
        this.rootOpen = true;
        return;
      }
      const node: XmlNode = {
        name: tag.name,
        attributes: tag.attributes as Record<string, string>,
        children: [],
      };
      this.stack.at(-1)?.children.push(node);
      this.stack.push(node);
    });
    parser.on('closetag', () => {
      const node = this.stack.pop();
      if (node && this.stack.length === 0) this.completed = node;
    });
    parser.write('<HealthData>');
    this.parser = parser;
  }

  parse(bytes: Buffer): XmlNode {
    try {
      this.completed = undefined;
      this.parser.write(bytes.toString('utf8'));
      const node = this.completed;
      if (!node || this.stack.length > 0) throw new Error('element not closed');
      return node;
    } catch (error) {
      this.reset();
      throw new MalformedElement(error instanceof Error ? error.message : String(error));
    }
  }
}
