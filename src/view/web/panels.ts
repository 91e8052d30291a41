// The side panels as DOM: a page and its chain, a list of events with links that jump,
// the diff. Text only through textContent (values come from the log, never as markup).

import type { DiffAnswer, EventRow, PageAnswer } from './client.js';

const hex = (n: number): string => '0x' + n.toString(16);

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', cls = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/** A link to an event: clicking it moves the view there. */
export function eventLink(index: number, go: (n: number) => void): HTMLAnchorElement {
  const a = el('a', String(index).padStart(9), 'ev');
  a.dataset.event = String(index);
  a.addEventListener('click', () => go(index));
  return a;
}

/** One line per event: index (a link), kernel path, the event; the row at `current` highlighted. */
export function renderEvents(box: HTMLElement, rows: readonly EventRow[], current: number, go: (n: number) => void, empty: string): void {
  box.replaceChildren();
  if (rows.length === 0) {
    box.append(el('div', empty, 'muted'));
    return;
  }
  let cur: HTMLElement | null = null;
  for (const r of rows) {
    const line = el('div');
    line.append(eventLink(r.index, go), ` [${r.path.padEnd(6)}] ${r.text}`);
    if (r.index === current) line.className = 'cur';
    if (r.index <= current) cur = line;
    box.append(line);
  }
  // centre the current row inside the list (scrollIntoView would scroll the whole page too)
  if (cur !== null) box.scrollTop = Math.max(0, cur.offsetTop - box.clientHeight / 2);
}

/** The page in words and its reverse map walked link by link, as `mmsim seek --page` prints it. */
export function renderPage(box: HTMLElement, a: PageAnswer, onPte: (pte: number) => void): void {
  const p = a.page;
  box.replaceChildren();
  box.className = 'mono';
  box.dataset.event = String(a.event);
  box.dataset.page = String(p.page);
  const extra = [
    p.inode ? `file inode ${p.inode} page ${p.offset}` : '',
    p.swap ? `swap entry ${p.swap}` : '',
    p.freeBlockOrder >= 0 ? `heads a free order-${p.freeBlockOrder} block` : '',
  ].filter(Boolean);
  box.append(
    el('div', `page ${p.page} after event ${a.event}: count ${p.count}, map count ${p.mapcount}, age ${p.age}`),
    el('div', `flags [${p.flags.join(' ')}]${extra.length ? `; ${extra.join(', ')}` : ''}`),
    el('div', `chain head -> ${p.head === 0 ? 'NULL (empty)' : hex(p.head)}`),
  );
  p.chain.forEach((c, i) => {
    const line = el('div', '', c.maps === p.page ? 'link' : 'link bad');
    line.dataset.pte = String(c.pte);
    const a = el('a', hex(c.pte), 'ev');
    a.title = 'show events naming this pte';
    a.addEventListener('click', () => onPte(c.pte));
    line.append(
      `[${i}] pte `,
      a,
      ` (mm ${c.mm}, vaddr ${hex(c.vaddr)}, table ${c.table} slot ${c.slot}) = ${hex(c.value)} [${c.flags.join(' ')}]` +
        `${c.maps !== null ? ` maps page ${c.maps}` : ''}, link -> ${c.link === 0 ? 'NULL' : hex(c.link)}` +
        `${c.maps !== p.page ? `  <-- does not map page ${p.page}` : ''}`,
    );
    box.append(line);
  });
  if (p.chainProblem) box.append(el('div', `chain problem: ${p.chainProblem}`, 'bad'));
  else if (p.chain.length) box.append(el('div', `end of chain (${p.chain.length} pte(s))`, 'muted'));
}

export function renderDiff(head: HTMLElement, box: HTMLElement, d: DiffAnswer): void {
  head.textContent = `A = event ${d.a} -> B = event ${d.b}: ${d.changes.length}${d.truncated ? '+' : ''} change(s), ${d.frames.length} frame(s) changed (outlined)`;
  box.replaceChildren(...d.changes.map((c) => el('div', c.text)));
  if (d.truncated) box.append(el('div', '… more changes not shown', 'muted'));
}
