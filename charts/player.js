// The player of a descent animation: a Plotly figure with frames, and one set of controls over it (step back,
// Play/Pause, step forward, a scrubber that reaches every step, the step shown). They all move together in the
// browser: playing or scrubbing never reruns the page. Under the plot, on request, each run's step from the point
// shown is written out with its numbers (explain/), one template per run filled in for the step shown. The
// Playground and the Article mount it as a Streamlit component (the default export); the HTML download calls
// mountPlayer itself.

const STILL = { frame: { duration: 0, redraw: false }, transition: { duration: 0 }, mode: "immediate" };
const TICK_SPACING = 44; // px: room for a label of four digits and a gap
const TICK_STRIDES = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];

// Steps between labelled ticks: a round number that leaves each label (`longest` characters at most) its room
// on a track `width` px wide.
function tickStride(steps, width, longest) {
  const most = Math.max(1, Math.floor(width / Math.max(TICK_SPACING, 7 * longest + 16)));
  return TICK_STRIDES.find((stride) => steps / stride <= most) ?? Math.ceil(steps / most);
}

function element(tag, className, text) {
  const made = document.createElement(tag);
  made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

function button(className, text, label) {
  const made = element("button", `descent-button ${className}`, text);
  made.type = "button";
  made.title = label;
  made.setAttribute("aria-label", label);
  return made;
}

class Player {
  constructor(root, onClick) {
    this.onClick = onClick;
    this.step = 0;
    this.steps = 0;
    this.playing = false;
    this.frameMs = 400;
    root.replaceChildren();
    const bar = element("div", "descent-controls");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Animation");
    this.back = button("descent-back", "◀", "Step back");
    this.play = button("descent-play", "▶ Play", "Play");
    this.forward = button("descent-forward", "▶", "Step forward");
    this.scrubber = element("input", "descent-scrubber");
    this.scrubber.type = "range";
    this.scrubber.min = "0";
    this.scrubber.step = "1";
    this.scrubber.setAttribute("aria-label", "Step shown");
    this.ticks = element("div", "descent-ticks");
    const track = element("div", "descent-track");
    track.append(this.scrubber, this.ticks);
    this.counter = element("output", "descent-counter");
    this.counter.setAttribute("aria-live", "off");
    const stepping = element("div", "descent-stepping");
    stepping.append(this.back, this.play, this.forward);
    bar.append(stepping, track, this.counter);
    this.plot = element("div", "descent-plot");
    this.explained = element("div", "descent-explanations");
    this.explanations = [];
    root.append(bar, this.plot, this.explained);

    this.back.addEventListener("click", () => this.pauseAndShow(this.step - 1));
    this.forward.addEventListener("click", () => this.pauseAndShow(this.step + 1));
    this.play.addEventListener("click", () => (this.playing ? this.pause() : this.start()));
    this.scrubber.addEventListener("input", () => this.pauseAndShow(Number(this.scrubber.value)));
    new ResizeObserver(() => this.labelTicks()).observe(this.ticks);
  }

  async draw(Plotly, spec) {
    // Paused before the new figure's data are taken in: a frame of the old one still being played would be
    // shown with them.
    if (this.playing) this.pause();
    const figure = spec.figure;
    this.frameMs = spec.frameMs;
    this.explanations = spec.explanations ?? [];
    // Frames that are not steps (the values of a setting explored) are named by the figure's labels.
    this.labels = spec.labels ?? null;
    this.tickLabels = spec.tickLabels ?? null;
    this.steps = figure.frames.length - 1;
    const config = {
      displaylogo: false,
      responsive: true,
      showLink: false,
      showEditInChartStudio: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "sendDataToCloud"],
    };
    const layout = { ...figure.layout, autosize: true };
    if (this.plot.classList.contains("js-plotly-plot")) {
      await Plotly.react(this.plot, { data: figure.data, layout, frames: figure.frames, config });
    } else {
      await Plotly.newPlot(this.plot, { data: figure.data, layout, frames: figure.frames, config });
      this.plot.on("plotly_animatingframe", (event) => this.showing(Number(event.name)));
      this.plot.on("plotly_animated", () => this.stopped());
      this.plot.on("plotly_click", (event) => {
        const point = event.points && event.points[0];
        if (this.onClick && point) this.onClick(point.x, point.y);
      });
    }
    this.Plotly = Plotly;
    this.scrubber.max = String(this.steps);
    this.labelTicks();
    await this.show(spec.frame ?? Math.min(this.step, this.steps));
    // How many figures have been drawn: what a test or benchmark waits on after a change.
    this.plot.dataset.draws = String(Number(this.plot.dataset.draws ?? 0) + 1);
  }

  labelTicks() {
    const text = (k) => (this.tickLabels ? this.tickLabels[k] : String(k));
    const longest = this.tickLabels ? Math.max(...this.tickLabels.map((label) => label.length)) : 4;
    const stride = tickStride(this.steps, this.ticks.clientWidth, longest);
    const labels = [];
    for (let k = 0; k <= this.steps; k += stride) labels.push(k);
    this.ticks.replaceChildren(
      ...labels.map((k) => {
        const label = element("span", "descent-tick", text(k));
        label.style.left = `${this.steps ? (100 * k) / this.steps : 0}%`;
        return label;
      }),
    );
  }

  // The controls say step k; the figure is moved there by Plotly (playing) or by show().
  showing(k) {
    this.step = k;
    this.scrubber.value = String(k);
    const named = this.labels ? this.labels[k] : `Step ${k} of ${this.steps}`;
    this.scrubber.setAttribute("aria-valuetext", named);
    this.counter.textContent = named;
    this.back.disabled = k <= 0;
    this.forward.disabled = k >= this.steps;
    this.explain(k);
  }

  // Each run's explanation at step k: its template for that step, with the step's numbers in its slots.
  explain(k) {
    this.explained.hidden = !this.explanations.length;
    this.explained.innerHTML = this.explanations
      .map(({ templates, frames }) => {
        const [index, ...numbers] = frames[k];
        const { parts, slots } = templates[index];
        return parts.map((part, j) => (j ? numbers[slots[j - 1]] + part : part)).join("");
      })
      .join("");
  }

  show(k) {
    const step = Math.max(0, Math.min(k, this.steps));
    this.showing(step);
    // A frame shown replaces one still being shown: Plotly rejects the one replaced, with no reason.
    return this.Plotly.animate(this.plot, [String(step)], STILL).catch(() => {});
  }

  pauseAndShow(k) {
    if (this.playing) this.pause();
    return this.show(k);
  }

  start() {
    // From the next step on, or from the start once at the end.
    const first = this.step >= this.steps ? 0 : this.step + 1;
    const names = [];
    for (let k = first; k <= this.steps; k++) names.push(String(k));
    this.setPlaying(true);
    const playing = {
      frame: { duration: this.frameMs, redraw: false },
      transition: { duration: Math.min(150, this.frameMs / 2), easing: "linear" },
      mode: "immediate",
    };
    // Pause interrupts the animation, and Plotly then rejects its promise with no reason.
    this.Plotly.animate(this.plot, names, playing).catch(() => {});
  }

  pause() {
    this.setPlaying(false);
    this.Plotly.animate(this.plot, [String(this.step)], STILL).catch(() => {});
  }

  stopped() {
    this.setPlaying(false);
  }

  setPlaying(playing) {
    this.playing = playing;
    this.play.textContent = playing ? "❚❚ Pause" : "▶ Play";
    this.play.title = playing ? "Pause" : "Play";
    this.play.setAttribute("aria-label", this.play.title);
  }
}

export function mountPlayer(root, spec, Plotly, onClick) {
  root.player ??= new Player(root, onClick);
  root.player.onClick = onClick;
  return root.player.draw(Plotly, spec);
}

let plotlyLoaded;

// The player's own copy of plotly.js, kept here: Streamlit's charts bring another version, which sets
// window.Plotly too, and a figure drawn by one copy cannot be redrawn or animated by the other.
function loadPlotly(url) {
  plotlyLoaded ??= new Promise((resolve, reject) => {
    const before = window.Plotly;
    const script = document.createElement("script");
    script.src = url;
    script.onload = () => {
      const ours = window.Plotly;
      window.Plotly = before;
      resolve(ours);
    };
    script.onerror = reject;
    document.head.appendChild(script);
  });
  return plotlyLoaded;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".descent-player") ?? parentElement.appendChild(element("div", "descent-player"));
  const onClick = data.clickable ? (x, y) => setTriggerValue("click", { x, y }) : null;
  loadPlotly(data.plotly).then((Plotly) => mountPlayer(root, data, Plotly, onClick));
}
