// Lesson 3: the gradient by the chain rule. The user picks point i (a click, or the arrow keys on
// the focused point) and moves their line (drag it up and down, its sliders, or the arrow keys on
// it); each frame this recomputes, as linreg.lessons.chain_rule does, ŷᵢ, ∂Lᵢ/∂ŷᵢ = 2(ŷᵢ − yᵢ),
// ∂ŷᵢ/∂w = xᵢ = (1, xᵢ), point i's gradient 2(ŷᵢ − yᵢ)xᵢ, and ∇L = (2/N)Xᵀ(ŷ − y), the mean of
// every point's gradient. The data arrive once (linreg.plots.lesson_drag.chain_drag_view); only
// the settled line and i go back.

// The chain rule at the line (b0, b1) for row i of (x, y): the numbers chain_rule gives.
function chainRule(x, y, b0, b1, i) {
  const n = x.length;
  let g0 = 0, g1 = 0, loss = 0;
  for (let r = 0; r < n; r++) {
    const e = b0 + b1 * x[r] - y[r]; // ŷ − y
    g0 += 2 * e; g1 += 2 * e * x[r]; loss += e * e;
  }
  const yhat = b0 + b1 * x[i], dL = 2 * (yhat - y[i]);
  return { i, n, xi: x[i], yi: y[i], yhat, lossI: (y[i] - yhat) ** 2, dL, gradI: [dL, dL * x[i]],
           grad: [g0 / n, g1 / n], loss: loss / n };
}

class ChainDrag extends LineView {
  constructor(parent) {
    super("lcr", "Lesson 3: the chain rule at your line",
          "Click a point to make it point i, or Tab to a point and move to the next with the arrow keys. Drag the "
          + "orange line up and down, or Tab to it: up and down move its intercept, left and right its slope "
          + "(Shift for ten steps).");
    const p = this.dataPlot;
    this.resid = p.add("line", "lcr-resid");
    this.ring = p.add("circle", "lcr-ring");
    this.ring.setAttribute("r", 11);
    Object.entries({ tabindex: "0", role: "button", "aria-hidden": "false" }).forEach(([k, v]) => this.hit.setAttribute(k, v));
    p.svg.append(this.dotLayer); // above point i's ring and residual
    this.dotLayer.setAttribute("role", "radiogroup");
    this.dotLayer.setAttribute("aria-label", "Point i");
    this.wrap = el("div", { class: "lpd-plot-wrap" }, p.svg);
    this.caption = el("p", { class: "lpd-caption", id: `${this.id}-caption` });
    p.svg.setAttribute("aria-describedby", this.caption.id);
    this.q = {};
    const q = (name) => { this.q[name] = el("span", { class: "lcr-num", "data-q": name }); return this.q[name]; };
    const row = (...parts) => el("p", { class: "lcr-row" }, ...parts);
    this.chain = el("div", { class: "lcr-chain", "aria-label": "The chain rule for point i, with its numbers" },
      row("Point ", q("i"), ": xᵢ = ", q("xi"), ", yᵢ = ", q("yi"), ", and your line predicts ŷᵢ = β₀ + β₁xᵢ = ", q("yhat"),
          "; its loss Lᵢ = (yᵢ − ŷᵢ)² = ", q("lossI"), "."),
      row("∂Lᵢ/∂ŷᵢ = 2(ŷᵢ − yᵢ) = ", q("dL"), "  (how the point's loss changes with its prediction)"),
      row("∂ŷᵢ/∂w = xᵢ = ", q("xrow"), "  (how the prediction changes with the intercept and the slope)"),
      row("∂Lᵢ/∂w = ∂Lᵢ/∂ŷᵢ · ∂ŷᵢ/∂w = 2(ŷᵢ − yᵢ)xᵢ = ", q("gradI"), "  (point i's gradient)"),
      row("∇L = (2/N) Xᵀ(ŷ − y) = (1/N) Σ 2(ŷᵢ − yᵢ)xᵢ = ", q("grad"), " over all N = ", q("n"),
          " points, at L = ", q("loss"), "."));
    this.root.append(this.controls, this.help, this.wrap, this.caption, this.chain, this.live);
    this.attach(parent, this.wrap, this.hit, {
      ArrowDown: ["intercept", -1], ArrowUp: ["intercept", 1], ArrowLeft: ["slope", -1], ArrowRight: ["slope", 1] },
      [p.svg, (e) => this.press(e), (e) => this.dragLine(e)]);
    this.dotLayer.addEventListener("keydown", (e) => this.pointKey(e));
  }

  extra() { return { i: this.i }; }
  extraOf(d) { return { i: d.i }; }
  reset(data) { this.i = data.i; }

  layout() {
    this.width = this.wrap.clientWidth;
    this.layoutData(Math.max(320, this.wrap.clientWidth || 640));
    const d = this.data;
    this.dots.forEach((c, i) => {
      c.setAttribute("role", "radio");
      c.setAttribute("aria-label", `Point ${i}: ${d.x_name} = ${fmt(d.x[i], 8)}, ${d.y_name} = ${fmt(d.y[i], 8)}`);
    });
    this.render();
  }

  render() {
    const d = this.data, p = this.dataPlot, [a, b] = this.line, c = chainRule(d.x, d.y, a, b, this.i);
    this.drawLines(false);
    this.hit.setAttribute("aria-label", `Your line: intercept β₀ = ${fmt(a, 6)}, slope β₁ = ${fmt(b, 6)}. Arrow keys `
      + "move it.");
    this.dots.forEach((dot, i) => {
      const on = i === this.i;
      dot.setAttribute("aria-checked", String(on));
      dot.setAttribute("tabindex", on ? "0" : "-1");
      dot.style.setProperty("--lpd-color", on ? d.colors.selected : d.colors.data);
    });
    const px = p.X(c.xi).toFixed(1);
    Object.entries({ x1: px, x2: px, y1: p.Y(c.yi).toFixed(1), y2: p.Y(c.yhat).toFixed(1) })
      .forEach(([k, v]) => this.resid.setAttribute(k, v));
    this.ring.setAttribute("cx", px);
    this.ring.setAttribute("cy", p.Y(c.yi).toFixed(1));
    for (const node of [this.resid, this.ring]) node.style.setProperty("--lpd-color", d.colors.selected);
    const pair = (v) => `(${fmt(v[0], 6)}, ${fmt(v[1], 6)})`;
    const text = { i: `i = ${c.i}`, xi: fmt(c.xi, 6), yi: fmt(c.yi, 6), yhat: fmt(c.yhat, 6), lossI: fmt(c.lossI, 6),
                   dL: fmt(c.dL, 6), xrow: `(1, ${fmt(c.xi, 6)})`, gradI: pair(c.gradI), grad: pair(c.grad),
                   n: String(c.n), loss: fmt(c.loss, 6) };
    for (const [k, v] of Object.entries(text)) this.q[k].textContent = v;
    this.caption.textContent = `Point i = ${c.i} at ${d.x_name} = ${fmt(c.xi)} has ${d.y_name} = ${fmt(c.yi)}; the `
      + `line at w = (${fmt(a)}, ${fmt(b)}) predicts ŷ = ${fmt(c.yhat)}, an error ŷ − y = ${fmt(c.yhat - c.yi)}.`;
  }

  announce() {
    const [a, b] = this.line, c = chainRule(this.data.x, this.data.y, a, b, this.i);
    this.live.textContent = `Point ${c.i}: ∂Lᵢ/∂ŷᵢ = ${fmt(c.dL, 6)}, its gradient (${fmt(c.gradI[0], 6)}, `
      + `${fmt(c.gradI[1], 6)}); ∇L = (${fmt(c.grad[0], 6)}, ${fmt(c.grad[1], 6)}); loss L = ${fmt(c.loss, 6)}.`;
  }

  pick(i, focus) {
    this.i = i;
    if (focus) this.dots[i].focus({ preventScroll: true });
    this.changed();
    this.announce();
  }

  pointKey(e) {
    const step = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1 }[e.key];
    if (!step || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const n = this.data.x.length;
    this.pick((this.i + step + n) % n, true);
  }

  // A press on a point picks it; near the line, grabs the line.
  press(e) {
    const i = e.target.dataset ? e.target.dataset.i : undefined;
    if (i !== undefined && e.target.classList.contains("lpd-dot-point")) {
      e.preventDefault();
      this.pick(+i, true);
    } else if (this.grabLine(e)) this.hit.focus({ preventScroll: true });
  }
}

export default function (component) {
  mountView(component, ChainDrag, "__lcrMounts"); // the count is read by the browser tests
}
