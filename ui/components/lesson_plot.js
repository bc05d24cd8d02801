// What the lessons' browser components share: DOM and SVG helpers, numbers formatted as the
// server formats them, a plot panel (axes, scales, lines), the user's-line sliders, and the
// settling of a state back to the server. ui/components/_inline.py puts this file before each
// component's own script, so these are plain declarations in the same module.
// Text from the data (column names) is only ever set with textContent or as an attribute.

const SETTLE_MS = 400; // the state goes back this long after the last change
const LINE_HIT_PX = 14; // a press this close to the line over the data (and not on a point) drags it
const MARGIN = { l: 66, r: 18, t: 14, b: 52 };
const SVG_NS = "http://www.w3.org/2000/svg";
let instances = 0;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c); // strings become text nodes
  return node;
}

function svgNode(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

// Python's format(v, ".{digits}g"), as linreg.format.fmt shows numbers on the server.
function fmt(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const strip = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  const [mant, power] = v.toExponential(digits - 1).split("e");
  const e = parseInt(power, 10);
  if (e < -4 || e >= digits) return `${strip(mant)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return strip(v.toFixed(digits - 1 - e));
}

// A multiple of a round step without its rounding noise (2.0500000000000003 -> 2.05).
function onStep(v, step) { return parseFloat((Math.round(v / step) * step).toPrecision(12)); }
function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }

function niceStep(span, count) {
  const raw = span / Math.max(1, count), e = Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * 10 ** e >= raw * (1 - 1e-9)) return m * 10 ** e;
  return 10 ** (e + 1);
}

// The loss of the line (b0, b1), from linreg.plots.lesson_drag.loss_quadratic: exact, about its minimum.
function lossOf(q, b0, b1) {
  const d0 = b0 - q.center[0], d1 = b1 - q.center[1], u = d0 + q.mean_x * d1;
  return q.loss_min + u * u + q.var_x * d1 * d1;
}

function metric(label, tip) {
  const value = el("div", { class: "lpd-metric-value" });
  const box = el("div", { class: "lpd-metric", title: tip || "" }, el("div", { class: "lpd-metric-label" }, label),
                 value);
  return { box, value };
}

// One SVG plot: its frame, ticks, axis titles and the scales between data and pixels.
class Panel {
  constructor(id, cls = "") {
    this.id = id;
    this.svg = svgNode("svg", { class: `lpd-svg ${cls}`.trim(), role: "group" });
    const clip = svgNode("clipPath", { id: `${id}-clip` });
    this.clipRect = svgNode("rect", {});
    clip.append(this.clipRect);
    const defs = svgNode("defs", {});
    defs.append(clip);
    this.axesLayer = svgNode("g", { class: "lpd-axes", "aria-hidden": "true" });
    this.svg.append(defs, this.axesLayer);
  }

  // A node drawn over what is already there; clipped to the plotting area unless `free`.
  add(tag, cls, free = false) {
    const node = svgNode(tag, { class: cls, "aria-hidden": "true" });
    if (!free) node.setAttribute("clip-path", `url(#${this.id}-clip)`);
    this.svg.append(node);
    return node;
  }

  // Scales for the data ranges xr, yr over a width x height plot; `equal`: one scale for both.
  frame(width, height, xr, yr, equal = false) {
    const w = width - MARGIN.l - MARGIN.r, h = height - MARGIN.t - MARGIN.b;
    let [xlo, xhi] = xr, [ylo, yhi] = yr;
    let kx = w / (xhi - xlo), ky = h / (yhi - ylo);
    if (equal) {
      // The axis with room to spare shows more, about the same centre.
      const k = Math.min(kx, ky), cx = (xlo + xhi) / 2, cy = (ylo + yhi) / 2;
      [xlo, xhi] = [cx - w / k / 2, cx + w / k / 2];
      [ylo, yhi] = [cy - h / k / 2, cy + h / k / 2];
      kx = ky = k;
    }
    Object.assign(this, { xlo, xhi, ylo, yhi, kx, ky, plotW: w, plotH: h, width, height });
    this.svg.setAttribute("width", width);
    this.svg.setAttribute("height", height);
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    Object.entries({ x: MARGIN.l, y: MARGIN.t, width: w, height: h }).forEach(([k, v]) => this.clipRect.setAttribute(k, v));
  }

  X(v) { return MARGIN.l + (v - this.xlo) * this.kx; }
  Y(v) { return MARGIN.t + (this.yhi - v) * this.ky; }
  fromX(px) { return this.xlo + (px - MARGIN.l) / this.kx; }
  fromY(py) { return this.yhi - (py - MARGIN.t) / this.ky; }

  inside(px, py) {
    return px >= MARGIN.l && px <= MARGIN.l + this.plotW && py >= MARGIN.t && py <= MARGIN.t + this.plotH;
  }

  // Where a pointer event is, in this panel's pixels (the box is read once per press: per move it would force layout).
  local(e) { return [e.clientX - this.box.left, e.clientY - this.box.top]; }
  measure() { this.box = this.svg.getBoundingClientRect(); }

  drawAxes(xTitle, yTitle, label) {
    const nodes = [], left = MARGIN.l, top = MARGIN.t, right = left + this.plotW, bottom = top + this.plotH;
    nodes.push(svgNode("rect", { x: left, y: top, width: this.plotW, height: this.plotH, class: "lpd-frame" }));
    const ticks = (lo, hi, count) => {
      const step = niceStep(hi - lo, count), out = [];
      for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(onStep(v, step));
      return out;
    };
    for (const v of ticks(this.xlo, this.xhi, Math.max(3, Math.round(this.plotW / 90)))) {
      const x = this.X(v);
      nodes.push(svgNode("line", { x1: x, x2: x, y1: top, y2: bottom, class: "lpd-grid" }));
      const t = svgNode("text", { x, y: bottom + 18, "text-anchor": "middle", class: "lpd-tick" });
      t.textContent = fmt(v, 6);
      nodes.push(t);
    }
    for (const v of ticks(this.ylo, this.yhi, Math.max(3, Math.round(this.plotH / 60)))) {
      const y = this.Y(v);
      nodes.push(svgNode("line", { x1: left, x2: right, y1: y, y2: y, class: "lpd-grid" }));
      const t = svgNode("text", { x: left - 8, y: y + 4, "text-anchor": "end", class: "lpd-tick" });
      t.textContent = fmt(v, 6);
      nodes.push(t);
    }
    const xt = svgNode("text", { x: left + this.plotW / 2, y: this.height - 10, "text-anchor": "middle",
                                 class: "lpd-title" });
    xt.textContent = xTitle;
    const yt = svgNode("text", { x: 0, y: 0, "text-anchor": "middle", class: "lpd-title",
                                 transform: `translate(16 ${top + this.plotH / 2}) rotate(-90)` });
    yt.textContent = yTitle;
    nodes.push(xt, yt);
    this.axesLayer.replaceChildren(...nodes);
    this.svg.setAttribute("aria-label", label);
  }

  // The line y = a + b x across the whole plot; the clip path trims what falls outside.
  placeLine(node, a, b, color) {
    const big = 1e6, yl = clamp(this.Y(a + b * this.xlo), -big, big), yr = clamp(this.Y(a + b * this.xhi), -big, big);
    node.setAttribute("x1", this.X(this.xlo));
    node.setAttribute("x2", this.X(this.xhi));
    node.setAttribute("y1", yl);
    node.setAttribute("y2", yr);
    node.style.setProperty("--lpd-color", color);
  }
}

// The intercept and slope sliders of the user's line (range inputs: the keyboard moves them too).
function lineSliders(onInput) {
  const controls = el("div", { class: "lpd-controls" }), sliders = {};
  for (const [which, name, tip] of [["intercept", "Intercept β₀", "Where the line crosses x = 0."],
                                    ["slope", "Slope β₁", "How much the line rises per unit of x."]]) {
    const input = el("input", { type: "range", class: "lpd-range", "data-line": which, title: tip });
    const value = el("output", { class: "lpd-value" });
    input.addEventListener("input", onInput);
    controls.append(el("label", { class: "lpd-slider" }, el("span", { class: "lpd-slider-name" }, name), input, value));
    sliders[which] = { input, value };
  }
  return { controls, sliders };
}

// A component's view: draws once a frame, and sends its settled state a moment after the last change.
class LessonView {
  constructor(cls, label) {
    this.id = `lpd${++instances}`;
    this.root = el("div", { class: `lpd ${cls}`.trim(), role: "group", "aria-label": label });
    this.sent = [];
    this.frame = 0;
    this.live = el("div", { class: "lpd-live", "aria-live": "polite", role: "status" });
  }

  // Subclasses give stateOf(data) (the state a payload holds), current(), render() and announce().

  // The server catching up with a state sent from here (its rerun can overlap more dragging) is no change.
  catching(data) {
    const incoming = JSON.stringify(this.stateOf(data));
    return Boolean(this.data && this.data.name === data.name
      && (incoming === JSON.stringify(this.current()) || this.sent.includes(incoming)));
  }

  remember(data) { this.sent = [JSON.stringify(this.stateOf(data))]; } // what the server holds already

  setupSliders(sliders) {
    for (const [which, i] of [["intercept", 0], ["slope", 1]]) {
      const [lo, hi, step] = this.data.sliders[which], input = sliders[which].input;
      Object.assign(input, { min: String(lo), max: String(hi), step: String(step) });
      input.value = String(this.line[i]);
    }
    sliders.slope.input.title = `How much the line rises per unit of ${this.data.x_name}.`;
  }

  // The range input's value is min + k·step in binary: drop its rounding noise, as the server's sliders do.
  readSliders(sliders) {
    return ["intercept", "slope"].map((w) => parseFloat(parseFloat(sliders[w].input.value).toPrecision(10)));
  }

  showSliders(sliders) {
    for (const [which, i] of [["intercept", 0], ["slope", 1]]) sliders[which].value.textContent = fmt(this.line[i], 6);
  }

  queue() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  changed() { this.queue(); this.settleSoon(); }

  settleSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.settle(), SETTLE_MS);
  }

  settle() {
    this.announce();
    if (!this.setStateValue) return;
    const state = JSON.stringify(this.current());
    if (this.sent.length && this.sent[this.sent.length - 1] === state) return;
    this.sent.push(state);
    if (this.sent.length > 32) this.sent.shift();
    this.setStateValue("settled", JSON.parse(state));
  }
}

// The component's entry point: one view per element, kept across reruns (`counter` counts mounts for the tests).
function mountView(component, View, counter) {
  const { data, parentElement, setStateValue } = component;
  let view = parentElement.__lpdView;
  if (!view) {
    window[counter] = (window[counter] || 0) + 1;
    view = new View(parentElement);
    parentElement.__lpdView = view;
  }
  view.load(data, setStateValue);
}

// A padded span of some values, for a plot's range.
function span(values, pad = 0.08) {
  let lo = Math.min(...values), hi = Math.max(...values);
  const d = hi - lo || Math.max(Math.abs(hi), 1);
  return [lo - pad * d, hi + pad * d];
}

// Lessons 2 and 3: the user's line (β₀, β₁) over the data, moved by its sliders, the keyboard or a
// drag, its loss evaluated here each frame (lossOf); the state that settles is { name, line, ...extra() }.
class LineView extends LessonView {
  constructor(cls, label, help) {
    super(cls, label);
    const { controls, sliders } = lineSliders(() => this.setLine(this.readSliders(this.sliders), false));
    this.sliders = sliders;
    this.controls = controls;
    this.help = el("p", { class: "lpd-help" }, help);
    this.dataPlot = new Panel(`${this.id}-data`, "lpd-data-svg");
    this.userLine = this.dataPlot.add("line", "lpd-user");
    this.olsLine = this.dataPlot.add("line", "lpd-ols");
    this.hit = this.dataPlot.add("line", "lpd-hit"); // the line's wide, invisible grip
    this.dotLayer = svgNode("g", { class: "lpd-points" }); // above the grip: a press on a point is the point's
    this.dataPlot.svg.append(this.dotLayer);
    this.dots = [];
  }

  // Into the page: each of `targets`, [svg, press, move], takes the drags that start on it; `handle`
  // takes the arrow keys (keyStep's `keys`); `box` is the element whose width lays the plots out.
  attach(parent, box, handle, keys, ...targets) {
    parent.append(this.root);
    for (const [svg, press, move] of targets) {
      svg.addEventListener("pointerdown", (e) => { if (e.button === 0) press(e); });
      svg.addEventListener("pointermove", (e) => { if (this.drag) move(e); });
      svg.addEventListener("pointerup", () => { if (this.drag) { this.drag = null; this.settleSoon(); } });
      svg.addEventListener("pointercancel", () => { this.drag = null; });
    }
    handle.addEventListener("keydown", (e) => this.keyStep(e, keys));
    new ResizeObserver(() => { if (this.data && box.clientWidth !== this.width) this.layout(); }).observe(box);
  }

  // A press this close to the line over the data (and not on a point) grabs it; true if it did.
  grabLine(e) {
    const p = this.dataPlot, [a, b] = this.line;
    p.measure();
    const [px, py] = p.local(e);
    if (!p.inside(px, py) || Math.abs(p.Y(a + b * p.fromX(px)) - py) > LINE_HIT_PX) return false;
    e.preventDefault();
    clearTimeout(this.timer);
    try { p.svg.setPointerCapture(e.pointerId); } catch { /* a pointer the browser no longer tracks */ }
    this.drag = { line: true, py, b0: a };
    return true;
  }

  // Up and down: the line moves parallel to itself, by the pointer's rise, on a tenth of the slider's step.
  dragLine(e) {
    if (!this.drag.line) return;
    const p = this.dataPlot, [, py] = p.local(e), step = this.data.sliders.intercept[2] / 10;
    const b0 = onStep(this.drag.b0 + (this.drag.py - py) / p.ky, step);
    if (b0 !== this.line[0]) this.moveLine([b0, this.line[1]]);
  }

  extra() { return {}; }
  stateOf(d) { return { name: d.name, line: d.line, ...this.extraOf(d) }; }
  extraOf() { return {}; }
  current() { return { name: this.data.name, line: this.line, ...this.extra() }; }

  load(data, setStateValue) {
    this.setStateValue = setStateValue;
    const catching = this.catching(data), renamed = !this.data || this.data.name !== data.name;
    this.data = data;
    if (!catching) {
      this.line = data.line.slice();
      this.remember(data);
      this.setupSliders(this.sliders);
      this.reset(data);
    }
    if (renamed || !catching) this.layout();
    this.root.dataset.ready = "1";
  }

  reset() {}

  clampLine(line) {
    const [lo0, hi0] = this.data.sliders.intercept, [lo1, hi1] = this.data.sliders.slope;
    return [clamp(line[0], lo0, hi0), clamp(line[1], lo1, hi1)];
  }

  // The line moved to `line` (clamped to the sliders' ranges), its sliders with it, drawn next frame.
  moveLine(line) {
    this.line = this.clampLine(line);
    this.sliders.intercept.input.value = String(this.line[0]);
    this.sliders.slope.input.value = String(this.line[1]);
    this.queue();
  }

  // moveLine, then settle soon; `fromKeys`: also say so in the live region.
  setLine(line, fromKeys) {
    this.moveLine(line);
    this.settleSoon();
    if (fromKeys) this.announce();
  }

  // One slider step (Shift: ten) of the intercept or the slope, from an arrow key; true if it was one.
  keyStep(e, keys) {
    const which = keys[e.key];
    if (!which || e.altKey || e.ctrlKey || e.metaKey) return false;
    e.preventDefault();
    const [name, sign] = which, i = name === "intercept" ? 0 : 1, step = this.data.sliders[name][2];
    const next = this.line.slice();
    next[i] = onStep(this.line[i] + sign * (e.shiftKey ? 10 : 1) * step, step);
    this.setLine(next, true);
    return true;
  }

  // The data panel's scales and axes, `width` pixels wide.
  layoutData(width) {
    const d = this.data, p = this.dataPlot;
    p.frame(width, d.height, span(d.x), span(d.y));
    p.drawAxes(d.x_name, d.y_name, `Scatter plot of ${d.y_name} against ${d.x_name} with your line.`);
    while (this.dots.length < d.x.length) {
      const c = svgNode("circle", { class: "lpd-dot-point", r: 6 });
      c.dataset.i = String(this.dots.length);
      this.dotLayer.append(c);
      this.dots.push(c);
    }
    while (this.dots.length > d.x.length) this.dots.pop().remove();
    this.dots.forEach((c, i) => {
      c.setAttribute("cx", p.X(d.x[i]).toFixed(1));
      c.setAttribute("cy", p.Y(d.y[i]).toFixed(1));
      c.style.setProperty("--lpd-color", d.colors.data);
    });
  }

  drawLines(showOls) {
    const c = this.data.colors, q = this.data.quadratic;
    this.dataPlot.placeLine(this.userLine, this.line[0], this.line[1], c.line);
    this.dataPlot.placeLine(this.hit, this.line[0], this.line[1], c.line);
    this.dataPlot.placeLine(this.olsLine, q.center[0], q.center[1], c.ols);
    this.olsLine.style.display = showOls ? "" : "none";
    this.showSliders(this.sliders);
    window.__lpdDraws = (window.__lpdDraws || 0) + 1; // read by the browser tests
  }
}
