// The gradient-descent stepper: steps through a run's stored history in the browser.
//
// The run arrives once (DescentAnimation.history, computed by linreg); every control here only
// shows numbers from it. The static figure is drawn once with plotly.js; the marks that move (the
// model, the path so far, the gradient arrow, the loss marker) are drawn in an SVG laid over it,
// placed with the figure's own axes, because any plotly.js redraw of this three-panel figure takes
// ~90-150 ms and a contour trace is lost by plotly's redraw-free transitions. With more than two
// coefficients the contour slice is restyled (one plotly redraw) after the stepping settles.
// Text from the data (column names, row labels) is only ever set with textContent.

const SETTLE_MS = 300; // the iteration goes back to the server this long after the last step
const PLAY_MS = 10000; // Play runs through the whole stored history in about this long
const SVG = "http://www.w3.org/2000/svg";

function typed(value) {
  if (!value || value.bdata === undefined) return Array.isArray(value) ? Float64Array.from(value) : new Float64Array(0);
  const bin = atob(value.bdata);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const T = { f8: Float64Array, f4: Float32Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array,
              u2: Uint16Array, i4: Int32Array, u4: Uint32Array }[value.dtype];
  return new T(bytes.buffer);
}

function rowOf(flat, width, r) { return flat.subarray(r * width, (r + 1) * width); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c); // strings become text nodes
  return node;
}

function sub(text) { const s = document.createElement("sub"); s.textContent = text; return s; }
function factor(s) { return s.startsWith("-") ? `(${s})` : s; }
function vector(values) { return `(${values.join(", ")})`; }

function svgNode(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function whenPlotly(callback, fail) {
  // Streamlit's own chart module puts plotly.js on window; the page draws an st.plotly_chart first.
  if (window.Plotly) return callback(window.Plotly);
  let waited = 0;
  const timer = setInterval(() => {
    waited += 50;
    if (window.Plotly) { clearInterval(timer); callback(window.Plotly); }
    else if (waited > 30000) { clearInterval(timer); fail(); }
  }, 50);
}

class Stepper {
  constructor(parent) {
    this.parent = parent;
    this.root = el("div", { class: "gds", tabindex: "0", role: "group",
                            "aria-label": "Gradient descent stepper: arrow keys step, Home and End jump, Space plays" });
    const bar = el("div", { class: "gds-controls" });
    this.buttons = {};
    for (const [act, label, tip] of [["first", "« First", "Iteration 0"], ["back", "‹ Back", "One step back"],
                                     ["next", "Next ›", "One step forward"], ["last", "Last »", "The last iteration"],
                                     ["play", "▶ Play", "Play the whole run (Space)"]]) {
      const b = el("button", { type: "button", class: "gds-button", "data-act": act, title: tip }, label);
      b.addEventListener("click", () => this.act(act));
      this.buttons[act] = b;
      bar.append(b);
    }
    this.range = el("input", { type: "range", class: "gds-range", min: "0", max: "0", step: "1",
                               "aria-label": "Iteration k" });
    this.range.addEventListener("input", () => { this.stop(); this.show(+this.range.value); });
    this.label = el("span", { class: "gds-k" });
    bar.append(this.range, this.label);
    this.caption = el("p", { class: "gds-caption" });
    this.live = el("div", { class: "gds-live", "aria-live": "polite", role: "status" });
    this.wrap = el("div", { class: "gds-plot-wrap" });
    this.plot = el("div", { class: "gds-plot" });
    this.overlay = svgNode("svg", { class: "gds-overlay", "aria-hidden": "true" });
    this.wrap.append(this.plot, this.overlay);
    this.title = el("h3", { class: "gds-title" });
    this.intro = el("p", { class: "gds-intro" });
    this.table = el("table", { class: "gds-table" });
    this.summary = el("p", { class: "gds-summary" });
    this.equations = el("div", { class: "gds-equations" });
    this.note = el("p", { class: "gds-note" });
    this.root.append(bar, this.caption, this.live, this.wrap, this.title, this.intro, this.table, this.summary,
                     this.equations, this.note);
    this.root.addEventListener("keydown", (e) => this.key(e));
    parent.append(this.root);
    this.pos = 0;
    this.sentAll = new Set();
    this.timer = null;
    this.playing = null;
  }

  load(data, setStateValue) {
    this.setStateValue = setStateValue;
    const key = `${data.run}:${data.k0}`;
    if (key === this.loaded) return; // a rerun with the same data (the settle's own rerun)
    // The server catching up with an iteration sent from here (its reruns can overlap the stepping)
    // is no jump: the stepper stays where the user is.
    const catching = this.data && this.data.run === data.run && this.sentAll.has(data.k0);
    const same = catching && this.its.length === data.iterations.length
      && this.its.every((m, i) => m === data.iterations[i]);
    this.loaded = key;
    if (same && !data.surface) { this.data = data; return; }
    // Streamlit may mount the element afresh with the same data (the first run of a session on a
    // freshly started server does): the iteration on show then survives in the page.
    let kept = window.__gdsLast && window.__gdsLast.key === key ? window.__gdsLast.k : data.k0;
    if (catching && data.iterations.includes(this.k)) kept = this.k;
    this.stop();
    this.data = data;
    this.its = data.iterations;
    const s = this.its.length;
    const unpack = (m, width) => m && { ...m, x: typed(m.x), y: typed(m.y), width };
    this.model = data.model && unpack(data.model, typed(data.model.x).length);
    this.path = data.path && { x: typed(data.path.x), y: typed(data.path.y), at: typed(data.path.at) };
    this.arrow = data.arrow && unpack(data.arrow, 2);
    this.point = data.point && { y: typed(data.point.y) };
    this.range.max = String(s - 1);
    this.buildTable();
    this.slot = null;
    whenPlotly((Plotly) => {
      this.Plotly = Plotly;
      const fig = data.figure;
      Plotly.newPlot(this.plot, fig.data, fig.layout, { responsive: true, displaylogo: false }).then(() => {
        this.styles();
        this.plot.on("plotly_afterplot", () => this.draw());
        this.draw();
        this.root.dataset.ready = "1";
      });
    }, () => { this.caption.textContent = "The chart library did not load: reload the page to see the figure."; });
    this.sent = kept;
    this.show(Math.max(0, this.its.indexOf(kept)), false);
  }

  styles() {
    // The moving marks keep the look of their traces in the figure (and its legend).
    const fig = this.data.figure, t = this.data.traces, look = {};
    for (const role of ["model", "path", "arrow", "point"]) {
      if (t[role] === undefined) continue;
      const tr = fig.data[t[role]];
      look[role] = { color: (tr.line && tr.line.color) || (tr.marker && tr.marker.color) || "#f0883e",
                     width: (tr.line && tr.line.width) || 2, xaxis: tr.xaxis || "x", yaxis: tr.yaxis || "y" };
    }
    this.look = look;
  }

  buildTable() {
    const t = this.data.table;
    const head = el("tr", {});
    for (const c of t.columns) head.append(el("th", { scope: "col" }, c));
    const body = el("tbody", {});
    this.cells = [];
    const rows = t.static.length ? t.static[0].length : 0;
    for (let r = 0; r < rows; r++) {
      const tr = el("tr", {});
      for (const col of t.static) tr.append(el("td", {}, col[r]));
      const moving = [];
      for (let c = 0; c < 3; c++) { const td = el("td", {}); tr.append(td); moving.push(td); }
      this.cells.push(moving);
      body.append(tr);
    }
    this.table.replaceChildren(el("thead", {}, head), body);
  }

  act(what) {
    const last = this.its.length - 1;
    if (what === "play") return this.playing ? this.stop() : this.play();
    this.stop();
    if (what === "first") this.show(0);
    else if (what === "back") this.show(Math.max(0, this.pos - 1));
    else if (what === "next") this.show(Math.min(last, this.pos + 1));
    else if (what === "last") this.show(last);
  }

  key(e) {
    const map = { ArrowLeft: "back", ArrowRight: "next", Home: "first", End: "last", " ": "play" };
    const what = map[e.key];
    if (!what || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault(); // the range input and the buttons would act on these keys too
    this.act(what);
  }

  play() {
    const last = this.its.length - 1;
    if (this.pos >= last) this.show(0);
    const every = Math.min(250, Math.max(16, PLAY_MS / Math.max(1, last)));
    let previous = performance.now();
    this.buttons.play.textContent = "❚❚ Pause";
    const tick = (now) => {
      if (!this.playing) return;
      if (now - previous >= every) {
        previous = now;
        if (this.pos >= last) return this.stop();
        this.show(this.pos + 1);
      }
      this.playing = requestAnimationFrame(tick);
    };
    this.playing = requestAnimationFrame(tick);
  }

  stop() {
    if (this.playing) cancelAnimationFrame(this.playing);
    this.playing = null;
    this.buttons.play.textContent = "▶ Play";
  }

  show(pos, settle = true) {
    const d = this.data, text = d.text, k = this.its[pos], last = this.its.length - 1;
    this.pos = pos;
    this.k = k;
    this.root.dataset.k = String(k);
    window.__gdsLast = { key: this.loaded, k };
    this.range.value = String(pos);
    this.range.setAttribute("aria-valuetext", `Iteration ${k}`);
    this.label.textContent = `k = ${k} of ${d.n_iter}`;
    this.buttons.first.disabled = this.buttons.back.disabled = pos === 0;
    this.buttons.next.disabled = this.buttons.last.disabled = pos === last;
    this.caption.textContent = text.caption[pos];
    this.live.textContent = `Iteration ${k}: loss ${text.loss[pos]}`;
    this.arithmetic(pos, k);
    this.draw();
    this.contour(k);
    if (settle) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        if (this.k !== this.sent) { this.sent = this.k; this.sentAll.add(this.k); this.setStateValue("k", this.k); }
      }, SETTLE_MS);
    }
  }

  arithmetic(pos, k) {
    const d = this.data, text = d.text, eq = d.equation, n = eq.n.toLocaleString("en-US");
    this.title.textContent = `The arithmetic of step ${k} → ${k + 1}`;
    this.intro.textContent = `Each step predicts every row with the current coefficients w_${k}, measures how wrong `
      + "each prediction is, averages those errors into the gradient ∇L over all N = " + n
      + ` rows, and steps against it. The first ${this.cells.length} rows:`;
    const moving = d.table.moving[pos];
    this.cells.forEach((cells, r) => cells.forEach((td, c) => { td.textContent = moving[c][r]; }));
    this.summary.textContent = text.summary[pos];
    const w = text.w[pos], grad = text.grad[pos], wNext = text.w_next[pos], lines = [];
    if (eq.row !== null) {
      const r = eq.row, yhat = moving[0][0], dl = moving[2][0];
      const terms = [];
      w.forEach((wc, c) => { if (c) terms.push(" + "); terms.push(`${factor(wc)}·${factor(eq.x[c])}`); });
      lines.push(["ŷ", sub(r), " = x", sub(r), " · w", sub(k), " = ", ...terms, " = ", yhat]);
      lines.push(["∂(ŷ", sub(r), " − y", sub(r), ")² / ∂ŷ", sub(r), " = 2(ŷ", sub(r), " − y", sub(r), ") = 2(",
                  yhat, " − ", factor(eq.y), ") = ", dl]);
    }
    if (eq.ridge !== null) {
      lines.push(["∇L = (2/N) Xᵀ(ŷ − y) + 2λb = (2/", n, ") Xᵀ(ŷ − y) + ", vector(text.penalty[pos]), " = ",
                  vector(grad)]);
    } else {
      lines.push(["∇L = (2/N) Xᵀ(ŷ − y) = (2/", n, ") Xᵀ(ŷ − y) = ", vector(grad)]);
    }
    if (eq.momentum !== null) {
      const vNext = vector(text.v_next[pos]);
      lines.push(["v", sub(k + 1), " = μ v", sub(k), " − η∇L = ", eq.momentum, vector(text.v_prev[pos]), " − ",
                  eq.lr, vector(grad), " = ", vNext]);
      lines.push(["w", sub(k + 1), " = w", sub(k), " + v", sub(k + 1), " = ", vector(w), " + ", vNext, " = ",
                  vector(wNext)]);
    } else {
      lines.push(["w", sub(k + 1), " = w", sub(k), " − η∇L = ", vector(w), " − ", eq.lr, vector(grad), " = ",
                  vector(wNext)]);
    }
    this.equations.replaceChildren(...lines.map((parts) => el("div", { class: "gds-eq" }, ...parts)));
    let note;
    if (eq.batch_size !== null) {
      note = `This run used mini-batches of ${eq.batch_size} rows: its actual step used the gradient of one batch, `
        + `not the full-data gradient shown here, so the stored w_${k + 1} differs from this update.`;
    } else if (text.stored_next[pos] !== null) {
      note = `The run's stored next iterate w_${k + 1} = ${vector(text.stored_next[pos])} is this update.`;
    } else {
      note = `Iteration ${k} is the last one the run kept, so this step was never taken`
        + (eq.diverged ? " (it would make things worse: the run diverged)." : ".");
    }
    this.note.textContent = note;
  }

  contour(k) {
    // The slice through the iterate is stored at Play's frames; restyling it is a full plotly
    // redraw, so it waits until the stepping pauses (and happens at most every 300 ms in Play).
    const surface = this.data.surface;
    if (!surface || !this.Plotly) return;
    let slot = 0;
    for (let s = 0; s < surface.at.length; s++) if (Math.abs(surface.at[s] - k) < Math.abs(surface.at[slot] - k)) slot = s;
    if (slot === this.slot) return;
    clearTimeout(this.contourTimer);
    this.contourTimer = setTimeout(() => {
      this.slot = slot;
      this.Plotly.restyle(this.plot, { z: [surface.z[slot]] }, [this.data.traces.surface]);
    }, this.playing ? 0 : 150);
  }

  axes(role) {
    const full = this.plot._fullLayout, look = this.look[role];
    const xa = full[look.xaxis.replace("x", "xaxis")], ya = full[look.yaxis.replace("y", "yaxis")];
    return [(v) => xa._offset + xa.l2p(xa.d2l(v)), (v) => ya._offset + ya.l2p(ya.d2l(v)), xa, ya];
  }

  draw() {
    if (!this.look || !this.plot._fullLayout) return;
    const pos = this.pos, k = this.k, svg = this.overlay, full = this.plot._fullLayout;
    svg.setAttribute("width", full.width);
    svg.setAttribute("height", full.height);
    const nodes = [];
    const clip = (role) => {
      const [, , xa, ya] = this.axes(role), id = `gds-clip-${xa._id}`;
      nodes.push(Object.assign(svgNode("clipPath", { id }), {}));
      nodes[nodes.length - 1].append(svgNode("rect", { x: xa._offset, y: ya._offset, width: xa._length,
                                                       height: ya._length }));
      return `url(#${id})`;
    };
    const num = (v) => (Number.isFinite(v) ? v.toFixed(1) : null);
    if (this.model) {
      const [X, Y] = this.axes("model"), look = this.look.model, ys = rowOf(this.model.y, this.model.width, pos);
      const where = clip("model");
      if (this.model.cloud) {
        let dots = "";
        for (let i = 0; i < ys.length; i++) {
          const x = num(X(this.model.x[i])), y = num(Y(ys[i]));
          if (x !== null && y !== null) dots += `M${x - 3} ${y}a3 3 0 1 0 6 0a3 3 0 1 0 -6 0`;
        }
        nodes.push(svgNode("path", { d: dots, fill: look.color, "fill-opacity": 0.8, "clip-path": where,
                                     class: "gds-model" }));
      } else {
        const pts = [];
        for (let i = 0; i < ys.length; i++) pts.push(`${num(X(this.model.x[i]))},${num(Y(ys[i]))}`);
        nodes.push(svgNode("polyline", { points: pts.join(" "), fill: "none", stroke: look.color,
                                         "stroke-width": look.width, "clip-path": where, class: "gds-model" }));
      }
    }
    if (this.path) {
      const [X, Y] = this.axes("path"), look = this.look.path, where = clip("path");
      const pts = [];
      let dots = "";
      for (let i = 0; i < this.path.at.length && this.path.at[i] <= k; i++) {
        const x = num(X(this.path.x[i])), y = num(Y(this.path.y[i]));
        if (x === null || y === null) continue;
        pts.push(`${x},${y}`);
        dots += `M${x - 2} ${y}a2 2 0 1 0 4 0a2 2 0 1 0 -4 0`;
      }
      nodes.push(svgNode("polyline", { points: pts.join(" "), fill: "none", stroke: look.color,
                                       "stroke-width": look.width, "clip-path": where, class: "gds-path" }));
      nodes.push(svgNode("path", { d: dots, fill: look.color, "clip-path": where }));
    }
    if (this.arrow) {
      const [X, Y] = this.axes("arrow"), look = this.look.arrow, where = clip("arrow");
      const xs = rowOf(this.arrow.x, 2, pos), ys = rowOf(this.arrow.y, 2, pos);
      const x0 = X(xs[0]), y0 = Y(ys[0]), x1 = X(xs[1]), y1 = Y(ys[1]);
      if ([x0, y0, x1, y1].every(Number.isFinite)) {
        const g = svgNode("g", { "clip-path": where, class: "gds-arrow" });
        g.append(svgNode("line", { x1: x0, y1: y0, x2: x1, y2: y1, stroke: look.color, "stroke-width": look.width }));
        g.append(svgNode("circle", { cx: x0, cy: y0, r: 3.5, fill: look.color }));
        const angle = Math.atan2(y1 - y0, x1 - x0) * 180 / Math.PI;
        if (Math.hypot(x1 - x0, y1 - y0) > 1) {
          g.append(svgNode("path", { d: "M0 0L-11 -6L-11 6Z", fill: look.color,
                                     transform: `translate(${x1},${y1}) rotate(${angle})` }));
        }
        nodes.push(g);
      }
    }
    if (this.point) {
      const [X, Y] = this.axes("point"), look = this.look.point;
      const x = X(k), y = Y(this.point.y[pos]);
      if (Number.isFinite(x) && Number.isFinite(y)) {
        nodes.push(svgNode("circle", { cx: x, cy: y, r: 6, fill: look.color, stroke: "white", "stroke-width": 1,
                                       "clip-path": clip("point"), class: "gds-point" }));
      }
    }
    svg.replaceChildren(...nodes);
  }
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let stepper = parentElement.__gdsStepper;
  if (!stepper) {
    window.__gdsMounts = (window.__gdsMounts || 0) + 1; // read by the browser tests
    stepper = new Stepper(parentElement);
    parentElement.__gdsStepper = stepper;
  }
  stepper.load(data, setStateValue);
}
