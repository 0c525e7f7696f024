// A Wadler-Lindig pretty printer with the exact layout rules of JAX's (jaxlib/_pretty_printer.cc):
// a group prints flat when the group itself (not the rest of the line) fits the remaining width.

export type Doc =
  | { t: "text"; s: string }
  | { t: "concat"; cs: Doc[] }
  | { t: "brk"; s: string }
  | { t: "group"; c: Doc }
  | { t: "nest"; n: number; c: Doc };

export const nil: Doc = { t: "concat", cs: [] };
export const text = (s: string): Doc => ({ t: "text", s });
export const concat = (...cs: Doc[]): Doc => ({ t: "concat", cs });
export const brk = (s = " "): Doc => ({ t: "brk", s });
export const group = (c: Doc): Doc => ({ t: "group", c });
export const nest = (n: number, c: Doc): Doc => ({ t: "nest", n, c });

export function join(sep: Doc, docs: Doc[]): Doc {
  if (docs.length === 0) return nil;
  const cs: Doc[] = [docs[0]];
  for (let i = 1; i < docs.length; i++) cs.push(sep, docs[i]);
  return { t: "concat", cs };
}

function fits(doc: Doc, width: number): boolean {
  const agenda: Doc[] = [doc];
  while (width >= 0 && agenda.length) {
    const d = agenda.pop()!;
    switch (d.t) {
      case "text":
      case "brk":
        width -= d.s.length;
        break;
      case "concat":
        for (let i = d.cs.length - 1; i >= 0; i--) agenda.push(d.cs[i]);
        break;
      default:
        agenda.push(d.c);
    }
  }
  return width >= 0;
}

/** Lays `doc` out in `width` columns (JAX uses 80). */
export function format(doc: Doc, width = 80): string {
  type Item = { indent: number; flat: boolean; d: Doc };
  const agenda: Item[] = [{ indent: 0, flat: false, d: doc }];
  const lines: string[] = [];
  let line = "";
  while (agenda.length) {
    const { indent, flat, d } = agenda.pop()!;
    switch (d.t) {
      case "text":
        line += d.s;
        break;
      case "concat":
        for (let i = d.cs.length - 1; i >= 0; i--) agenda.push({ indent, flat, d: d.cs[i] });
        break;
      case "brk":
        if (flat) line += d.s;
        else {
          lines.push(line);
          line = " ".repeat(indent);
        }
        break;
      case "group":
        agenda.push({ indent, flat: fits(d.c, width - line.length), d: d.c });
        break;
      case "nest":
        agenda.push({ indent: indent + d.n, flat, d: d.c });
        break;
    }
  }
  lines.push(line);
  return lines.join("\n");
}
