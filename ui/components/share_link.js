// The share link as text and a Copy button. The URL is a stranger's text: set with textContent only.
export default function ({ data, parentElement }) {
  let box = parentElement.querySelector(".lsl");
  if (!box) {
    box = document.createElement("div");
    box.className = "lsl";
    const url = document.createElement("code");
    url.className = "lsl-url";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "lsl-copy";
    button.textContent = "Copy link";
    const status = document.createElement("span");
    status.className = "lsl-status";
    status.setAttribute("aria-live", "polite");
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(url.textContent);
        status.textContent = "Copied.";
      } catch {
        // No clipboard access (an insecure origin, a denied permission): select it for Ctrl+C.
        const range = document.createRange();
        range.selectNodeContents(url);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
      }
    });
    box.append(url, button, status);
    parentElement.append(box);
  }
  const url = box.querySelector(".lsl-url");
  if (url.textContent !== data.url) {
    url.textContent = data.url;
    box.querySelector(".lsl-status").textContent = "";
  }
}
