// Warm-up countdown: ticks each second and reloads the page when the sale opens.
const el = document.querySelector('.countdown');
if (el) {
  const startsAt = Date.parse(el.dataset.starts);
  const tick = () => {
    const left = Math.max(0, startsAt - Date.now());
    if (left === 0) return location.reload();
    const s = Math.floor(left / 1000);
    const hh = String(Math.floor(s / 3600)).padStart(2, '0');
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    el.textContent = `距开抢 ${hh}:${mm}:${ss} · Opens in ${hh}:${mm}:${ss}`;
    setTimeout(tick, 1000);
  };
  tick();
}
