// Lesson 1's points and lines, moved in the browser (after the shared lesson_plot.js).
//
// The points, the user's line and the ranges arrive once (linreg.plots.lessons.line_drag_view). Each
// frame recomputes the user's line's residuals and RSS and, for the points as they are now, the exact
// simple-regression line (the 2x2 normal equations solved about the means), its R², and the selected
// point's leverage and Cook's distance. Only the settled line and points go back to the server.

const HIT_PX = 12; // a press this close to a point grabs it
const CLICK_PX = 5; // a press that moves farther than this is no click (nothing is added)

// The least-squares line of y on x and what it says about one point. Null when x does not vary.
function regression(x, y) {
  const n = x.length;
  if (n < 2 || x.every((v) => v === x[0])) return null;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx; sxy += dx * dy; syy += dy * dy;
  }
  const slope = sxy / sxx, intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) { const e = y[i] - intercept - slope * x[i]; rss += e * e; }
  const s2 = n > 2 ? rss / (n - 2) : NaN; // two coefficients: n - 2 residual degrees of freedom
  return {
    n, intercept, slope, rss, syy, mx, sxx, s2,
    r2: syy > 0 ? 1 - rss / syy : NaN,
    leverage(i) { return 1 / n + (x[i] - mx) ** 2 / sxx; },
    cooks(i) {
      const h = this.leverage(i), e = y[i] - intercept - slope * x[i];
      return 1 - h > 1e-12 && s2 > 0 ? (e * e * h) / (2 * s2 * (1 - h) ** 2) : NaN;
    },
  };
}

class LineDrag extends LessonView {
  constructor(parent) {
    super("", "Lesson 1: your line and the data");
    const { controls, sliders } = lineSliders(() => { this.line = this.readSliders(this.sliders); this.changed(); });
    this.sliders = sliders;
    this.help = el("p", { class: "lpd-help" }, "Drag a point to move it, click an empty spot to add one, "
      + "double-click a point to remove it. A focused point (Tab) moves with the arrow keys, Shift for ten "
      + "times as far; Delete removes it.");
    this.plot = new Panel(this.id);
    this.svg = this.plot.svg;
    this.squares = this.plot.add("path", "lpd-squares");
    this.userLine = this.plot.add("line", "lpd-user");
    this.olsLine = this.plot.add("line", "lpd-ols");
    this.pointLayer = svgNode("g", { class: "lpd-points" });
    this.svg.append(this.pointLayer);
    this.wrap = el("div", { class: "lpd-plot-wrap" }, this.svg);
    this.legend = el("div", { class: "lpd-legend", "aria-hidden": "true" });
    this.caption = el("p", { class: "lpd-caption", id: `${this.id}-caption` });
    this.svg.setAttribute("aria-describedby", this.caption.id);
    this.m = { rss: metric("Your RSS"), loss: metric("Your loss L = RSS/N"), max: metric("Largest |residual|"),
               bestRss: metric("Least-squares RSS"), r2: metric("R²", "1 − RSS/TSS of the least-squares line"),
               n: metric("Points N") };
    this.revealButton = el("button", { type: "button", class: "lpd-button lpd-reveal-button" });
    this.revealButton.addEventListener("click", () => { this.shown = !this.shown; this.changed(); });
    this.bestText = el("p", { class: "lpd-best-text" });
    this.squaresOf = {};
    const pick = el("div", { class: "lpd-squares-of", role: "radiogroup", "aria-label": "Squares of" },
                    el("span", {}, "Squares of: "));
    for (const [value, label] of [["user", "your line"], ["ols", "the least-squares line"]]) {
      const input = el("input", { type: "radio", name: `${this.id}-squares`, value });
      input.addEventListener("change", () => { this.squaresFor = value; this.queue(); });
      pick.append(el("label", {}, input, ` ${label}`));
      this.squaresOf[value] = input;
    }
    this.best = el("div", { class: "lpd-best" }, this.bestText,
                   el("div", { class: "lpd-metrics" }, this.m.bestRss.box, this.m.r2.box, this.m.n.box), pick);
    this.reveal = el("div", { class: "lpd-box" },
                     el("p", {}, el("strong", {}, "Predict, then reveal"),
                        ": when you think your line is as good as it gets, reveal the best one."),
                     this.revealButton, this.best);
    this.pointText = el("p", { class: "lpd-point" });
    const add = el("button", { type: "button", class: "lpd-button", "data-act": "add" }, "Add a point");
    add.addEventListener("click", () => this.addAt(null));
    const reset = el("button", { type: "button", class: "lpd-button", "data-act": "reset" }, "Reset the data");
    reset.addEventListener("click", () => this.reset());
    this.message = el("p", { class: "lpd-message", role: "alert" });
    this.root.append(controls, this.help, this.wrap, this.legend, this.caption,
                     el("div", { class: "lpd-metrics" }, this.m.rss.box, this.m.loss.box, this.m.max.box),
                     this.pointText, el("div", { class: "lpd-actions" }, add, reset), this.message, this.reveal,
                     this.live);
    parent.append(this.root);
    this.circles = [];
    this.squaresFor = "user";
    this.svg.addEventListener("pointerdown", (e) => this.press(e));
    this.svg.addEventListener("pointermove", (e) => this.move(e));
    this.svg.addEventListener("pointerup", (e) => this.release(e));
    this.svg.addEventListener("pointercancel", () => { this.drag = null; this.pending = null; });
    this.svg.addEventListener("dblclick", (e) => this.doubleClick(e));
    this.svg.addEventListener("keydown", (e) => this.key(e));
    this.svg.addEventListener("focusin", (e) => { const i = this.indexOf(e.target); if (i !== null) this.select(i); });
    new ResizeObserver(() => { if (this.data && this.wrap.clientWidth !== this.width) this.layout(); }).observe(this.wrap);
  }

  // ------------------------------------------------------------------ state
  stateOf(d) { return { name: d.name, line: d.line, x: d.x, y: d.y, shown: d.shown }; }

  current() { return { name: this.data.name, line: this.line, x: this.x, y: this.y, shown: this.shown }; }

  load(data, setStateValue) {
    this.setStateValue = setStateValue;
    // The server catching up with a state sent from here is no change: what is on screen stays.
    const catching = this.catching(data);
    const relayout = !this.data || this.data.equal !== data.equal || this.data.name !== data.name;
    this.data = data;
    if (!catching) {
      this.x = data.x.slice();
      this.y = data.y.slice();
      this.line = data.line.slice();
      this.shown = data.shown;
      this.selected = null;
      this.remember(data);
      this.squaresFor = "user";
      this.setupSliders(this.sliders);
      this.message.textContent = "";
    }
    if (relayout || !catching) this.layout();
    this.root.dataset.ready = "1";
  }

  // ------------------------------------------------------------------ geometry
  layout() {
    const d = this.data, p = this.plot;
    this.width = this.wrap.clientWidth;
    p.frame(Math.max(320, this.wrap.clientWidth || 640), d.height, d.area.x, d.area.y, d.equal);
    p.drawAxes(d.x_name, d.y_name, `Scatter plot of ${d.y_name} against ${d.x_name}, with your line and the `
      + "squares of its residuals; each point is a button you can move.");
    this.legendKey = null;
    this.render();
  }

  // The data point under a pixel position, clamped to the drag area and snapped to its steps.
  toData(px, py) {
    const [xa, xb, xs] = this.data.area.x, [ya, yb, ys] = this.data.area.y;
    return [clamp(onStep(this.plot.fromX(px), xs), xa, xb), clamp(onStep(this.plot.fromY(py), ys), ya, yb)];
  }

  drawLegend() {
    const c = this.data.colors, item = (cls, color, label) => {
      const swatch = el("span", { class: `lpd-swatch ${cls}` });
      swatch.style.setProperty("--lpd-color", color);
      return el("span", { class: "lpd-legend-item" }, swatch, label);
    };
    const items = [item("lpd-dot", c.data, "data"), item("lpd-solid", c.line, "your line")];
    if (this.shown) items.push(item("lpd-dash", c.ols, "least-squares line"));
    const ols = this.shown && this.fit && this.squaresFor === "ols";
    items.push(item("lpd-box-swatch", ols ? c.ols : c.line,
                    `squared residuals of ${ols ? "the least-squares line" : "your line"}`));
    this.legend.replaceChildren(...items);
  }

  // ------------------------------------------------------------------ drawing, once a frame
  queue() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  render() {
    const d = this.data, x = this.x, y = this.y, n = x.length, [a, b] = this.line, c = d.colors;
    const fit = regression(x, y);
    this.fit = fit;
    // The user's line: residuals, RSS, loss.
    let rss = 0, worst = 0;
    for (let i = 0; i < n; i++) { const e = y[i] - a - b * x[i]; rss += e * e; worst = Math.max(worst, Math.abs(e)); }
    this.rss = rss;
    const withOls = this.shown && fit && this.squaresFor === "ols";
    const [sa, sb] = withOls ? [fit.intercept, fit.slope] : [a, b];
    // Each square stands on its residual and reaches as far right in pixels as it is tall: with equal
    // scales its area is the squared residual, otherwise that times one common factor.
    let path = "";
    for (let i = 0; i < n; i++) {
      const px = this.plot.X(x[i]), py = this.plot.Y(y[i]), pf = this.plot.Y(sa + sb * x[i]), side = Math.abs(pf - py);
      path += `M${px.toFixed(1)} ${py.toFixed(1)}h${side.toFixed(1)}V${pf.toFixed(1)}h${(-side).toFixed(1)}Z`;
    }
    this.squares.setAttribute("d", path);
    const squareColor = withOls ? c.ols : c.line;
    this.squares.style.setProperty("--lpd-color", squareColor);
    this.plot.placeLine(this.userLine, a, b, c.line);
    if (this.shown && fit) this.plot.placeLine(this.olsLine, fit.intercept, fit.slope, c.ols);
    this.olsLine.style.display = this.shown && fit ? "" : "none";
    const legendKey = `${this.shown}:${withOls}`;
    if (legendKey !== this.legendKey) { this.legendKey = legendKey; this.drawLegend(); }
    this.drawPoints();
    // The numbers.
    this.showSliders(this.sliders);
    this.m.rss.value.textContent = fmt(rss, 6);
    this.m.loss.value.textContent = fmt(rss / n, 6);
    this.m.loss.box.title = `N = ${n} points.`;
    this.m.max.value.textContent = fmt(worst, 4);
    let caption = `Your line y = ${fmt(a)} + ${fmt(b)} x leaves ${n} residuals whose squares add up to RSS = ${fmt(rss)}`;
    if (this.shown && fit) {
      caption += `; the least-squares line y = ${fmt(fit.intercept)} + ${fmt(fit.slope)} x has the smallest `
        + `possible RSS, ${fmt(fit.rss)}.`;
    } else caption += ".";
    this.caption.textContent = caption;
    this.revealButton.textContent = this.shown ? "Hide it and try again" : "Reveal the least-squares line";
    this.best.hidden = !this.shown;
    if (this.shown) this.showBest(fit, rss);
    this.showPoint(fit);
    this.root.dataset.n = String(n);
    window.__lpdDraws = (window.__lpdDraws || 0) + 1; // read by the browser tests and the benchmark
  }

  drawPoints() {
    const n = this.x.length;
    while (this.circles.length < n) {
      const circle = svgNode("circle", { class: "lpd-dot-point", r: 6, tabindex: "0", role: "button" });
      circle.dataset.i = String(this.circles.length);
      this.pointLayer.append(circle);
      this.circles.push(circle);
    }
    while (this.circles.length > n) this.circles.pop().remove();
    const color = this.data.colors.data;
    for (let i = 0; i < n; i++) {
      const circle = this.circles[i], cx = this.plot.X(this.x[i]).toFixed(1), cy = this.plot.Y(this.y[i]).toFixed(1);
      if (circle.getAttribute("cx") !== cx) circle.setAttribute("cx", cx);
      if (circle.getAttribute("cy") !== cy) circle.setAttribute("cy", cy);
      const label = `Point ${i + 1}: ${this.data.x_name} = ${fmt(this.x[i], 8)}, ${this.data.y_name} = ${fmt(this.y[i], 8)}`;
      if (circle.getAttribute("aria-label") !== label) circle.setAttribute("aria-label", label);
      circle.classList.toggle("lpd-selected", i === this.selected);
      circle.style.setProperty("--lpd-color", i === this.selected ? this.data.colors.selected : color);
    }
  }

  showBest(fit, rss) {
    if (!fit) {
      this.bestText.textContent = `All ${this.x.length} points have the same ${this.data.x_name}: every line through `
        + "their mean fits them equally well, so there is no one least-squares line. Move a point sideways.";
      for (const k of ["bestRss", "r2"]) this.m[k].value.textContent = "—";
      this.m.n.value.textContent = String(this.x.length);
      return;
    }
    const ratio = fit.rss > 0 ? rss / fit.rss : Infinity;
    this.bestText.textContent = `Least squares: y = ${fmt(fit.intercept, 6)} + ${fmt(fit.slope, 6)} x with RSS = `
      + `${fmt(fit.rss, 6)}, the smallest any line can reach. Yours is ${fmt(rss, 6)}, ${fmt(ratio, 4)} times as large.`
      + (ratio < 1.001 ? " A perfect guess!" : "");
    this.m.bestRss.value.textContent = fmt(fit.rss, 6);
    this.m.r2.value.textContent = fmt(fit.r2, 4);
    this.m.n.value.textContent = String(fit.n);
    this.squaresOf[this.squaresFor].checked = true;
  }

  showPoint(fit) {
    const i = this.selected;
    if (i === null || i >= this.x.length) {
      this.pointText.textContent = "Select a point (click or Tab to it) to see its leverage and Cook's distance.";
      return;
    }
    const d = this.data, head = `Point ${i + 1} (${d.x_name} = ${fmt(this.x[i], 8)}, ${d.y_name} = `
      + `${fmt(this.y[i], 8)}): `;
    if (!fit) { this.pointText.textContent = `${head}leverage and Cook's distance need a least-squares line.`; return; }
    const n = this.x.length;
    this.pointText.textContent = `${head}leverage h = ${fmt(fit.leverage(i))} (the average over the points is `
      + `2/N = ${fmt(2 / n)}), Cook's distance D = ${fmt(fit.cooks(i))}. Leverage grows with the distance from the `
      + `mean of ${d.x_name}; Cook's distance measures how far the least-squares line moves when this point is left out.`;
  }

  announce() {
    const fit = this.fit, [a, b] = this.line;
    let text = `Your line: y = ${fmt(a, 6)} + ${fmt(b, 6)} x, RSS ${fmt(this.rss, 6)}.`;
    if (this.shown && fit) text = `Least-squares line: y = ${fmt(fit.intercept, 6)} + ${fmt(fit.slope, 6)} x, `
      + `R² ${fmt(fit.r2, 4)}, from ${fit.n} points. ${text}`;
    if (fit && this.selected !== null && this.selected < this.x.length) {
      text += ` Point ${this.selected + 1}: leverage ${fmt(fit.leverage(this.selected))}, Cook's distance `
        + `${fmt(fit.cooks(this.selected))}.`;
    }
    this.live.textContent = text;
  }

  // ------------------------------------------------------------------ pointer and keys
  indexOf(node) {
    return node && node.dataset && node.dataset.i !== undefined && node.classList.contains("lpd-dot-point")
      ? +node.dataset.i : null;
  }

  nearest(px, py) {
    let best = null, dist = HIT_PX;
    for (let i = 0; i < this.x.length; i++) {
      const d = Math.hypot(this.plot.X(this.x[i]) - px, this.plot.Y(this.y[i]) - py);
      if (d <= dist) { best = i; dist = d; }
    }
    return best;
  }

  press(e) {
    if (e.button !== 0) return;
    this.plot.measure();
    const [px, py] = this.plot.local(e);
    if (!this.plot.inside(px, py)) return;
    clearTimeout(this.timer);
    const i = this.nearest(px, py);
    if (i === null) { this.pending = { px, py }; return; }
    e.preventDefault(); // no text selection; the point is focused below instead
    try { this.svg.setPointerCapture(e.pointerId); } catch { /* a pointer the browser no longer tracks */ }
    this.drag = { i, dx: this.plot.X(this.x[i]) - px, dy: this.plot.Y(this.y[i]) - py };
    this.circles[i].focus({ preventScroll: true });
    this.select(i);
  }

  move(e) {
    if (this.pending) {
      const [px, py] = this.plot.local(e);
      if (Math.hypot(px - this.pending.px, py - this.pending.py) > CLICK_PX) this.pending = null;
      return;
    }
    if (!this.drag) return;
    const [px, py] = this.plot.local(e), i = this.drag.i;
    const [x, y] = this.toData(px + this.drag.dx, py + this.drag.dy);
    if (x !== this.x[i] || y !== this.y[i]) { this.x[i] = x; this.y[i] = y; this.queue(); }
  }

  release() {
    if (this.drag) { this.drag = null; this.settleSoon(); return; }
    if (this.pending) { const { px, py } = this.pending; this.pending = null; this.addAt([px, py]); }
  }

  doubleClick(e) {
    this.plot.measure();
    const i = this.nearest(...this.plot.local(e));
    if (i !== null) this.remove(i);
  }

  key(e) {
    const i = this.indexOf(e.target);
    if (i === null || e.altKey || e.ctrlKey || e.metaKey) return;
    const by = e.shiftKey ? 10 : 1;
    const moves = { ArrowLeft: ["x", -by], ArrowRight: ["x", by], ArrowUp: ["y", by], ArrowDown: ["y", -by] };
    if (moves[e.key]) {
      e.preventDefault();
      // To the next line of the snapping grid (one step on from a point already on it).
      const [axis, k] = moves[e.key], [lo, hi, step] = this.data.area[axis], v = this[axis][i] / step;
      const next = k > 0 ? Math.floor(v + 1e-9) + k : Math.ceil(v - 1e-9) + k;
      this[axis][i] = clamp(onStep(next * step, step), lo, hi);
      this.changed();
    } else if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      this.remove(i, true);
    }
  }

  select(i) {
    if (this.selected === i) return;
    this.selected = i;
    this.queue();
  }

  addAt(pixel) {
    const [, most] = this.data.limits;
    if (this.x.length >= most) {
      this.message.textContent = `The lesson holds at most ${most} points: remove one (double-click it) to add another.`;
      return;
    }
    this.message.textContent = "";
    const [x, y] = pixel ? this.toData(...pixel)
      : this.toData(this.plot.X((this.plot.xlo + this.plot.xhi) / 2), this.plot.Y((this.plot.ylo + this.plot.yhi) / 2));
    this.x.push(x);
    this.y.push(y);
    this.selected = this.x.length - 1;
    this.render(); // now, so that the new point can take the focus
    if (!pixel) this.circles[this.selected].focus({ preventScroll: true });
    this.settleSoon();
  }

  remove(i, keyboard = false) {
    const [fewest] = this.data.limits;
    if (this.x.length <= fewest) {
      this.message.textContent = `The lesson needs at least ${fewest} points: add one (click an empty spot) before `
        + "removing another.";
      return;
    }
    this.message.textContent = "";
    this.x.splice(i, 1);
    this.y.splice(i, 1);
    this.selected = keyboard ? Math.min(i, this.x.length - 1) : null;
    this.render();
    if (keyboard) this.circles[this.selected].focus({ preventScroll: true });
    this.settleSoon();
  }

  reset() {
    this.x = this.data.x0.slice();
    this.y = this.data.y0.slice();
    this.selected = null;
    this.message.textContent = "";
    this.changed();
  }
}

export default function (component) {
  mountView(component, LineDrag, "__lpdMounts"); // the count is read by the browser tests
}
