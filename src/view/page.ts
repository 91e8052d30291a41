// The viewer's one page: markup and style. The behaviour is the bundled script (web/main.ts).

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mmsim view</title>
<style>
  body { font: 13px/1.35 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
  header { padding: 6px 12px; background: #263238; color: #eceff1; display: flex; gap: 16px; align-items: center; }
  header b { font-size: 15px; }
  header .muted { color: #b0bec5; }
  header .bad { color: #ffab91; }
  main { display: flex; gap: 12px; padding: 10px 12px; align-items: flex-start; }
  section { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 8px; }
  #left { flex: none; }
  #right { flex: 1; min-width: 360px; display: flex; flex-direction: column; gap: 10px; background: none; border: none; padding: 0; }
  #right > div { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 8px; }
  h2 { font-size: 13px; margin: 0 0 6px; }
  .row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-bottom: 6px; }
  #slider { width: 100%; margin: 0; }
  #event { width: 9em; }
  canvas { display: block; image-rendering: pixelated; }
  #map { cursor: crosshair; margin-top: 8px; }
  #chart { cursor: pointer; border: 1px solid #eee; }
  #legend { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 6px; }
  #legend span.sw { display: inline-block; width: 11px; height: 11px; margin-right: 4px; vertical-align: -1px; border: 1px solid #999; }
  .mono, pre, .list { font: 12px/1.4 ui-monospace, monospace; }
  .list { max-height: 260px; overflow: auto; white-space: pre; position: relative; }
  .list div.cur { background: #fff3c4; }
  a.ev { color: #1565c0; cursor: pointer; text-decoration: none; }
  a.ev:hover { text-decoration: underline; }
  .bad { color: #b71c1c; }
  .muted { color: #777; }
  input[type=text] { width: 5em; }
  #f-type { width: 12em; }
</style>
</head>
<body>
<header><b>mmsim view</b><span id="title" class="mono"></span><span style="flex:1"></span><span id="bisect-status" class="muted"></span><button id="bisect" hidden>bisect: go to the first broken invariant</button></header>
<main>
  <section id="left">
    <div class="row">
      <button id="prev-op" title="previous kernel operation">&laquo; op</button>
      <button id="prev" title="previous event">&#x25C0;</button>
      event <input id="event" type="number" min="0" step="1"> <span id="of" class="muted"></span>
      <button id="next" title="next event">&#x25B6;</button>
      <button id="next-op" title="next kernel operation">op &raquo;</button>
    </div>
    <input id="slider" type="range" min="0" step="1">
    <canvas id="chart" width="640" height="56" title="free pages over the run: click to go there"></canvas>
    <div id="status" class="mono"></div>
    <canvas id="map"></canvas>
    <div id="legend"></div>
  </section>
  <section id="right">
    <div id="page-panel"><h2>Page</h2><div id="page" class="mono muted">click a frame</div><h2 style="margin-top:8px">History</h2><div id="history" class="list"></div></div>
    <div id="diff-panel"><h2>Diff</h2>
      <div class="row"><button id="mark">mark A = this event</button><button id="unmark">clear</button><span id="diff-head" class="mono"></span></div>
      <div id="diff" class="list"></div></div>
    <div id="events-panel"><h2>Events</h2>
      <div class="row">type <input id="f-type" type="text" placeholder="pte_set,pte_link"> page <input id="f-page" type="text"> pte <input id="f-pte" type="text"> mm <input id="f-mm" type="text"></div>
      <div id="events" class="list"></div></div>
  </section>
</main>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
