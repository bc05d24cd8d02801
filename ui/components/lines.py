"""Lessons 2 and 3's line, moved in the browser.

``bowl_dragger`` (``bowl_drag.js``) draws lesson 2's loss contour over every line the sliders
allow, with the user's line as a dot to drag (or move with the arrow keys) and the line over
the data beside it; ``chain_dragger`` (``chain_drag.js``) draws lesson 3's data, the user's line
and point i, with the chain rule's numbers. Both take the payloads of
``linreg.plots.lesson_drag`` and evaluate the loss and the gradient of the moving line in the
browser, with no rerun; the settled state comes back as the component's state ``settled``
(``name`` and ``line``, and for lesson 3 ``i``) about 400 ms after the user lets go.
"""

from __future__ import annotations

from ._inline import lesson_component

__all__ = ["bowl_dragger", "chain_dragger"]

bowl_dragger = lesson_component("linreg_bowl_dragger", "bowl_drag.js")
chain_dragger = lesson_component("linreg_chain_dragger", "chain_drag.js")
