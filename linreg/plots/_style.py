"""The figures' palette and their budgets of points and frames, in one place.

Budgets are sized to what a browser draws smoothly and to what a page may send: about 2 MB
of plotly JSON for a page of figures, and a Play frame that redraws before the next is due.
"""

from __future__ import annotations

__all__ = [
    "BLUE", "ORANGE", "GREY", "GREEN", "RED", "BOWL", "CONTOUR_LINE",
    "R_RED", "GUIDE_GREY",
    "MAX_POINTS", "WEBGL_THRESHOLD",
    "MAX_FRAMES", "PLAY_FRAME_MS", "MAX_PATH_POINTS", "MAX_DRAWN_POINTS", "MAX_ANIMATED_POINTS", "MAX_SLICE_WORK",
    "CHART_POINTS", "POINTS_BYTES", "SMOOTH_POINTS", "CURVE_POINTS",
]

# ---------------------------------------------------------------------------
# Palette
# ---------------------------------------------------------------------------
BLUE = "#1f6feb"  # the data and fits (the theme's primary colour)
ORANGE = "#f0883e"  # the current iterate: what moves
GREY = "#6e7781"  # references: OLS, identity lines, past paths
GREEN = "#2da44e"  # the optimum
RED = "#cf222e"  # the gradient, and what is unstable
# The loss bowl: white at the bottom, pale blue up the sides, so the orange path and the
# red arrow stay readable on top of it.
BOWL = [[0.0, "#ffffff"], [0.35, "#deebf7"], [1.0, "#6baed6"]]
CONTOUR_LINE = "#8c9fb5"
# R's diagnostic plots: the smoother and Cook's contours in R's red (panel.smooth), guides grey.
R_RED = "#d62728"
GUIDE_GREY = "#888888"

# ---------------------------------------------------------------------------
# Points every scatter may draw
# ---------------------------------------------------------------------------
# Plots draw at most this many points (a seeded random sample); statistics use every row.
MAX_POINTS = 20_000
# SVG scatters get sluggish past a few thousand markers; WebGL draws 20,000 smoothly.
WEBGL_THRESHOLD = 5_000

# ---------------------------------------------------------------------------
# The animated gradient-descent figure
# ---------------------------------------------------------------------------
# Every frame is sent to the browser: 48 frames keep the page's chart data well under 1 MB
# and Play at 12 s.
MAX_FRAMES = 48
# Milliseconds a frame shows during Play. Each frame is a full redraw (the contour cannot be
# animated), and a redraw the next frame interrupts leaves the contour undrawn: this must
# exceed the redraw time, ~100-160 ms in headless Chromium without a GPU (faster on a laptop).
PLAY_FRAME_MS = 250
# Points of the path kept in each frame (the path so far is re-sent per frame).
MAX_PATH_POINTS = 600
# Rows drawn in the data panel: every Play frame redraws the whole figure, and that redraw
# must finish within PLAY_FRAME_MS for the contour to stay on screen.
MAX_DRAWN_POINTS = 2_000
# Points of the animated predicted-vs-actual cloud (re-sent per frame).
MAX_ANIMATED_POINTS = 500
# Rows x frames of loss-surface work for a slice that moves with the iterate (about a second).
MAX_SLICE_WORK = 5_000_000

# ---------------------------------------------------------------------------
# R's diagnostic plots (the Residuals page shows four scatters)
# ---------------------------------------------------------------------------
# Rows drawn in each scatter. At 4,000 rows each (plus the labelled ones) the four send 1.3 MB
# with 3 features and 1.7 MB with the most hover columns (6, one of them text); 5,000 would
# pass the page's 2 MB there, and MAX_POINTS (20,000) sent 9.4 MB.
CHART_POINTS = 4_000
# Bytes of plotly JSON one scatter's points may take. Numbers alone stay under it at CHART_POINTS
# rows; long text in the hover (a text column, long row labels) draws fewer rows instead, so the
# four scatters stay within the page's ~2 MB whatever the data.
POINTS_BYTES = 400_000
# Above this many rows the smoother is fitted to a seeded sample of them, not to the drawn points:
# its line costs no bytes, and on 100,000 heteroscedastic rows a 20,000-row sample stays within
# 0.6% of the plot's height of the exact curve (about 2 px), where the 4,000 drawn rows were off by
# up to 2.7% at the ends of Scale-Location.
SMOOTH_POINTS = MAX_POINTS
# The smoother is drawn through at most this many of its points (it is piecewise linear
# between lowess's anchors, about 100 of them, so nothing visible is lost).
CURVE_POINTS = 1_000
