import { isCollection, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml'

/** A place in a parsed document: object keys and array indexes from the root. */
export type Path = (string | number)[]

export interface SourceProblem {
  line: number
  message: string
}

/**
 * A YAML file parsed with positions kept, so that a problem found in the plain value (by the schema or
 * the semantic checks, which see only a path) can be reported at the line that holds it.
 */
export class YamlSource {
  private constructor(
    private readonly document: Document.Parsed,
    private readonly lines: LineCounter,
    readonly value: unknown,
    readonly syntaxErrors: SourceProblem[],
  ) {}

  static parse(text: string): YamlSource {
    const lines = new LineCounter()
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true })
    const syntaxErrors = [...document.errors, ...document.warnings].map((error) => ({
      line: error.linePos?.[0].line ?? 1,
      message: `YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
    }))
    const value = syntaxErrors.length ? undefined : document.toJS({ maxAliasCount: 50 })
    return new YamlSource(document, lines, value, syntaxErrors)
  }

  /**
   * The line of the node at `path`, or of the nearest parent that exists (a missing field is reported
   * where its parent starts). `key` points at the key of the last step rather than its value.
   */
  lineOf(path: Path, key = false): number {
    let node: unknown = this.document.contents
    let offset = offsetOf(node) ?? 0
    for (const [index, step] of path.entries()) {
      const last = index === path.length - 1
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(step))
        if (!pair) break
        // A list or mapping is reported at its key: its value starts on the line after, at its first child.
        const target = (last && key) || isCollection(pair.value) ? pair.key : (pair.value ?? pair.key)
        offset = offsetOf(target) ?? offset
        node = pair.value
      } else if (isSeq(node) && typeof step === 'number') {
        const item = node.items[step]
        if (item === undefined) break
        offset = offsetOf(item) ?? offset
        node = item
      } else {
        break
      }
    }
    return this.lines.linePos(offset).line
  }
}

function offsetOf(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0]
}

/** `pages[2].questions[0].type`: a path as a person reads it. */
export function describePath(path: Path): string {
  let text = ''
  for (const step of path) text += typeof step === 'number' ? `[${step}]` : text ? `.${step}` : step
  return text || '(the file)'
}

/** A JSON pointer (as ajv reports) as a path; numeric steps become indexes. */
export function pointerToPath(pointer: string): Path {
  if (!pointer) return []
  return pointer
    .slice(1)
    .split('/')
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((step) => (/^(0|[1-9]\d*)$/.test(step) ? Number(step) : step))
}
