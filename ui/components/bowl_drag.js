// Lesson 2: the loss is a bowl. The user's line (β₀, β₁) is a dot on the contour of the loss
// L(β₀, β₁); dragging it (or its sliders, or the arrow keys on it) moves the line over the data
// beside it, and the loss is evaluated here each frame from linreg's quadratic (lossOf). The
// contour grid arrives once (linreg.plots.lesson_drag.bowl_drag_view); only the settled line goes back.

const LEVELS = 16; // contour lines, evenly spaced in log10 of the loss
const NARROW_PX = 760; // below this the two plots stack

function hexRgb(h) { return [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)); }

// The colour at t in [0, 1] of a plotly-style scale [[t, "#rrggbb"], ...].
function colorAt(stops, t) {
  let k = 1;
  while (k < stops.length - 1 && stops[k][0] < t) k++;
  const [t0, c0] = stops[k - 1], [t1, c1] = stops[k], f = t1 > t0 ? clamp((t - t0) / (t1 - t0), 0, 1) : 0;
  const a = hexRgb(c0), b = hexRgb(c1);
  return a.map((v, j) => Math.round(v + f * (b[j] - v)));
}

// The crossings of level `v` on a grid cell's four edges (corners in order round the cell), as pixels.
function crossings(corners, v) {
  const out = [];
  for (let k = 0; k < 4; k++) {
    const [xa, ya, za] = corners[k], [xb, yb, zb] = corners[(k + 1) % 4];
    if ((za < v) !== (zb < v)) {
      const f = (v - za) / (zb - za);
      out.push([xa + f * (xb - xa), ya + f * (yb - ya)]);
    }
  }
  return out;
}

class BowlDrag extends LineView {
  constructor(parent) {
    super("lbw", "Lesson 2: your line on the loss bowl",
          "Drag the orange dot over the bowl, or focus it (Tab) and use the arrow keys: left and right move "
          + "the intercept, up and down the slope, Shift for ten steps. Your line (orange) follows over the data; the "
          + "green star, the bottom of the bowl, is the dashed least-squares line. You can also drag your line up "
          + "and down over the data.");
    this.bowl = new Panel(`${this.id}-bowl`, "lbw-svg");
    this.heat = this.bowl.add("image", "lbw-heat");
    this.heat.setAttribute("preserveAspectRatio", "none");
    this.contours = this.bowl.add("path", "lbw-contours");
    this.star = this.bowl.add("path", "lbw-star");
    this.dot = svgNode("circle", { class: "lbw-dot", r: 8, tabindex: "0", role: "button" });
    this.bowl.svg.append(this.dot);
    this.bowlWrap = el("div", { class: "lpd-plot-wrap" }, this.bowl.svg);
    this.dataWrap = el("div", { class: "lpd-plot-wrap" }, this.dataPlot.svg);
    this.panels = el("div", { class: "lbw-panels" }, this.bowlWrap, this.dataWrap);
    this.caption = el("p", { class: "lpd-caption", id: `${this.id}-caption` });
    this.bowl.svg.setAttribute("aria-describedby", this.caption.id);
    this.m = { at: metric("Your line (β₀, β₁)"), loss: metric("Loss of your line"),
               bottom: metric("Bottom of the bowl (β₀, β₁)"), min: metric("Loss at the bottom") };
    this.root.append(this.controls, this.help, this.panels, this.caption,
                     el("div", { class: "lpd-metrics lbw-metrics" }, ...Object.values(this.m).map((m) => m.box)),
                     this.live);
    this.attach(parent, this.panels, this.dot, {
      ArrowLeft: ["intercept", -1], ArrowRight: ["intercept", 1], ArrowDown: ["slope", -1], ArrowUp: ["slope", 1] },
      [this.bowl.svg, (e) => this.press(e), (e) => this.move(e)],
      [this.dataPlot.svg, (e) => this.grabLine(e), (e) => this.dragLine(e)]);
  }

  layout() {
    const d = this.data, g = d.grid, [lo0, hi0] = d.sliders.intercept, [lo1, hi1] = d.sliders.slope;
    this.width = this.panels.clientWidth;
    const narrow = (this.width || 900) < NARROW_PX;
    this.panels.classList.toggle("lbw-narrow", narrow);
    const each = Math.max(300, narrow ? this.width || 600 : (this.width - 16) / 2 || 440);
    this.bowl.frame(each, d.height, [lo0, hi0], [lo1, hi1]);
    this.bowl.drawAxes("intercept β₀", `slope β₁ (on ${d.x_name})`, "Contours of the loss over intercepts and "
      + `slopes, darker where it is higher; the orange dot is your line, the star the bottom of the bowl.`);
    this.layoutData(each);
    this.dataPlot.svg.querySelectorAll(".lpd-dot-point").forEach((c) => c.classList.add("lbw-still"));
    this.drawBowl(g);
    const q = d.quadratic, sx = this.bowl.X(q.center[0]), sy = this.bowl.Y(q.center[1]);
    let star = "";
    for (let k = 0; k < 10; k++) {
      const r = k % 2 ? 4 : 10, a = Math.PI / 2 + (k * Math.PI) / 5;
      star += `${k ? "L" : "M"}${(sx + r * Math.cos(a)).toFixed(1)} ${(sy - r * Math.sin(a)).toFixed(1)}`;
    }
    this.star.setAttribute("d", `${star}Z`);
    this.star.style.setProperty("--lpd-color", d.colors.ols);
    this.dot.style.setProperty("--lpd-color", d.colors.line);
    this.render();
  }

  // The heat map of log10 L (an image of the grid, smoothed when scaled) and its contour lines.
  drawBowl(g) {
    const na = g.b0.length, nb = g.b1.length, p = this.bowl, stops = this.data.scale.stops;
    const z = g.loss.map((row) => row.map((v) => Math.log10(Math.max(v, 1e-300))));
    let zlo = Infinity, zhi = -Infinity;
    for (const row of z) for (const v of row) { zlo = Math.min(zlo, v); zhi = Math.max(zhi, v); }
    const canvas = document.createElement("canvas");
    canvas.width = na;
    canvas.height = nb;
    const ctx = canvas.getContext("2d"), img = ctx.createImageData(na, nb);
    for (let q = 0; q < nb; q++) {
      for (let a = 0; a < na; a++) {
        const [r, gg, b] = colorAt(stops, zhi > zlo ? (z[q][a] - zlo) / (zhi - zlo) : 0), o = 4 * ((nb - 1 - q) * na + a);
        img.data.set([r, gg, b, 255], o);
      }
    }
    ctx.putImageData(img, 0, 0);
    const h0 = (g.b0[na - 1] - g.b0[0]) / (na - 1) / 2, h1 = (g.b1[nb - 1] - g.b1[0]) / (nb - 1) / 2;
    const x0 = p.X(g.b0[0] - h0), y0 = p.Y(g.b1[nb - 1] + h1);
    Object.entries({ x: x0, y: y0, width: p.X(g.b0[na - 1] + h0) - x0, height: p.Y(g.b1[0] - h1) - y0,
                     href: canvas.toDataURL() }).forEach(([k, v]) => this.heat.setAttribute(k, v));
    const px = g.b0.map((v) => p.X(v)), py = g.b1.map((v) => p.Y(v));
    let path = "";
    for (let l = 1; l <= LEVELS; l++) {
      const v = zlo + ((zhi - zlo) * l) / (LEVELS + 1);
      for (let q = 0; q + 1 < nb; q++) {
        for (let a = 0; a + 1 < na; a++) {
          const pts = crossings([[px[a], py[q], z[q][a]], [px[a + 1], py[q], z[q][a + 1]],
                                 [px[a + 1], py[q + 1], z[q + 1][a + 1]], [px[a], py[q + 1], z[q + 1][a]]], v);
          for (let k = 0; k + 1 < pts.length; k += 2) {
            path += `M${pts[k][0].toFixed(1)} ${pts[k][1].toFixed(1)}L${pts[k + 1][0].toFixed(1)} ${pts[k + 1][1].toFixed(1)}`;
          }
        }
      }
    }
    this.contours.setAttribute("d", path);
    this.contours.style.setProperty("--lpd-color", this.data.scale.contour);
  }

  render() {
    const [a, b] = this.line, d = this.data, q = d.quadratic, L = lossOf(q, a, b);
    this.dot.setAttribute("cx", this.bowl.X(a).toFixed(1));
    this.dot.setAttribute("cy", this.bowl.Y(b).toFixed(1));
    this.dot.setAttribute("aria-label", `Your line: intercept β₀ = ${fmt(a, 6)}, slope β₁ = ${fmt(b, 6)}, loss `
      + `${fmt(L, 6)}. Arrow keys move it.`);
    this.drawLines(true);
    this.m.at.value.textContent = `(${fmt(a, 6)}, ${fmt(b, 6)})`;
    this.m.loss.value.textContent = fmt(L, 6);
    this.m.bottom.value.textContent = `(${fmt(q.center[0], 6)}, ${fmt(q.center[1], 6)})`;
    this.m.min.value.textContent = fmt(q.loss_min, 6);
    this.caption.textContent = `The loss L(β₀, β₁) over intercepts ${fmt(d.sliders.intercept[0])} to `
      + `${fmt(d.sliders.intercept[1])} and slopes ${fmt(d.sliders.slope[0])} to ${fmt(d.sliders.slope[1])}: lowest, `
      + `${fmt(q.loss_min)}, at the least-squares line (${fmt(q.center[0])}, ${fmt(q.center[1])}); your line sits at `
      + `(${fmt(a)}, ${fmt(b)}) with loss ${fmt(L)}, ${fmt(L / q.loss_min, 3)} times the lowest.`;
  }

  announce() {
    const [a, b] = this.line;
    this.live.textContent = `Your line (${fmt(a, 6)}, ${fmt(b, 6)}): loss ${fmt(lossOf(this.data.quadratic, a, b), 6)}.`;
  }

  // The line under a pixel of the bowl, on a tenth of the sliders' steps.
  lineAt(px, py) {
    const s0 = this.data.sliders.intercept[2] / 10, s1 = this.data.sliders.slope[2] / 10;
    return [onStep(this.bowl.fromX(px), s0), onStep(this.bowl.fromY(py), s1)];
  }

  press(e) {
    this.bowl.measure();
    const [px, py] = this.bowl.local(e);
    if (!this.bowl.inside(px, py)) return;
    e.preventDefault();
    clearTimeout(this.timer);
    try { this.bowl.svg.setPointerCapture(e.pointerId); } catch { /* a pointer the browser no longer tracks */ }
    this.drag = { bowl: true };
    this.dot.focus({ preventScroll: true });
    this.moveLine(this.lineAt(px, py)); // a press anywhere on the bowl puts the dot there
  }

  move(e) {
    if (!this.drag.bowl) return;
    const line = this.lineAt(...this.bowl.local(e));
    if (line[0] !== this.line[0] || line[1] !== this.line[1]) this.moveLine(line);
  }
}

export default function (component) {
  mountView(component, BowlDrag, "__lbwMounts"); // the count is read by the browser tests
}
