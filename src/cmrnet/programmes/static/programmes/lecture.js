// Recorded lecture: report each stretch actually played ([start, end) seconds) to the server, which keeps
// the distinct seconds watched; seeking ahead does not count the skipped part.
const video = document.getElementById("lecture");
const label = document.getElementById("watch-progress");
const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] || "";
let from = null;
let last = null;

async function report(start, end) {
  if (end - start < 1) return;
  const response = await fetch(video.dataset.report, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify({ start, end }),
  });
  if (response.ok) {
    const body = await response.json();
    label.dataset.watched = body.seconds_watched;
    label.textContent = `Watched: ${body.seconds_watched} of ${body.length} seconds.` +
      (body.attended ? " Counts as attended." : " At 90 % it counts as attended.");
  }
}

function flush() {
  if (from !== null && last !== null && last > from) report(Math.floor(from), Math.ceil(last));
  from = null;
}

video.addEventListener("play", () => { from = video.currentTime; last = video.currentTime; });
video.addEventListener("timeupdate", () => {
  if (from === null || video.paused) return;
  if (Math.abs(video.currentTime - last) > 2) { flush(); from = video.currentTime; }  // a seek
  last = video.currentTime;
  if (last - from >= 10) { flush(); from = last; }
});
video.addEventListener("seeking", () => { flush(); });
video.addEventListener("seeked", () => { if (!video.paused) { from = video.currentTime; last = video.currentTime; } });
video.addEventListener("pause", flush);
video.addEventListener("ended", () => { last = video.duration; flush(); });
window.addEventListener("pagehide", flush);
