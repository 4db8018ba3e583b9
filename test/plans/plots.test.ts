import { describe, expect, it } from "vitest";
import { SeededRandom } from "../../src/models/random.js";
import { dipLabel, pulsePlot, spectrumPlot, tuningPlot } from "../../src/plans/plots.js";
import { findDips, linearFit } from "../../src/plans/spectrum-analysis.js";
import { svgPlot } from "../../src/plans/svg-plot.js";

interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  text: string;
}

/**
 * A strict check of XML well-formedness for what svg-plot writes (elements,
 * double-quoted attributes, text, entities), without a parser dependency:
 * one root, every tag closed in order, no attribute twice, every `&` an
 * entity, no `<` or `>` loose in text. Returns the elements in document order.
 */
function parseXml(xml: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  let roots = 0;
  const checkEntities = (text: string) => {
    for (const match of text.matchAll(/&[^;\s]*;?/g)) {
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);$/i.test(match[0]))
        throw new Error(`bad entity ${match[0]}`);
    }
  };
  const decode = (text: string) =>
    text.replace(
      /&(lt|gt|quot|apos|amp);/g,
      (_, name: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[name] ?? "",
    );
  for (const token of xml.match(/<[^<>]*>|[^<>]+|[<>]/g) ?? []) {
    if (token === "<" || token === ">") throw new Error(`loose ${token}`);
    if (!token.startsWith("<")) {
      if (open.length === 0) {
        if (token.trim() !== "") throw new Error(`text outside the root: ${token}`);
        continue;
      }
      checkEntities(token);
      (open[open.length - 1] as XmlElement).text += decode(token);
      continue;
    }
    const closing = /^<\/([A-Za-z][\w:.-]*)\s*>$/.exec(token);
    if (closing) {
      const top = open.pop();
      if (top?.name !== closing[1]) throw new Error(`</${closing[1]}> closes <${top?.name}>`);
      continue;
    }
    const tag = /^<([A-Za-z][\w:.-]*)((?:\s+[A-Za-z][\w:.-]*="[^"<]*")*)\s*(\/?)>$/.exec(token);
    if (!tag) throw new Error(`malformed tag ${token}`);
    const attributes: Record<string, string> = {};
    for (const [, name, value] of (tag[2] as string).matchAll(/([A-Za-z][\w:.-]*)="([^"]*)"/g)) {
      if ((name as string) in attributes) throw new Error(`attribute ${name} twice in ${token}`);
      checkEntities(value as string);
      attributes[name as string] = value as string;
    }
    if (open.length === 0 && ++roots > 1) throw new Error("more than one root element");
    const element = { name: tag[1] as string, attributes, text: "" };
    elements.push(element);
    if (tag[3] !== "/") open.push(element);
  }
  if (open.length > 0) throw new Error(`<${open[open.length - 1]?.name}> is never closed`);
  if (roots !== 1) throw new Error("no root element");
  return elements;
}

/** The plotted data range and the frame in pixels, read back from the SVG. */
function frameOf(elements: XmlElement[]) {
  const frame = elements.find((e) => e.attributes["data-x-range"] !== undefined);
  if (!frame) throw new Error("no plot frame");
  const [x0, x1] = (frame.attributes["data-x-range"] as string).split(" ").map(Number) as [number, number];
  const [y0, y1] = (frame.attributes["data-y-range"] as string).split(" ").map(Number) as [number, number];
  const left = Number(frame.attributes.x);
  const top = Number(frame.attributes.y);
  const height = Number(frame.attributes.height);
  return {
    x: [x0, x1],
    y: [y0, y1],
    /** Pixel row of the value y. */
    row: (y: number) => top + ((y1 - y) / (y1 - y0)) * height,
    contains: (px: number, py: number) =>
      px >= left - 0.1 &&
      px <= left + Number(frame.attributes.width) + 0.1 &&
      py >= top - 0.1 &&
      py <= top + height + 0.1,
  };
}

function drawnPoints(elements: XmlElement[]): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (const e of elements) {
    if (e.name === "polyline") {
      for (const pair of (e.attributes.points as string).split(" ")) {
        points.push(pair.split(",").map(Number) as [number, number]);
      }
    }
    if (e.name === "circle") points.push([Number(e.attributes.cx), Number(e.attributes.cy)]);
  }
  return points;
}

const texts = (elements: XmlElement[]) => elements.filter((e) => e.name === "text").map((e) => e.text);

/** Three resonances of an all-pass ring (r 0.98, a 0.985, n_eff L = 240 µm) from 1535 to 1565 nm, 1 pm steps, a little noise. */
function ringSpectrum(start = 1535e-9, count = 30_001) {
  const random = new SeededRandom(1);
  const wavelength = Float64Array.from({ length: count }, (_, k) => start + k * 1e-12);
  const transmission = wavelength.map((λ) => {
    const c = Math.cos((2 * Math.PI * 2.4e-4) / λ);
    return (0.985 ** 2 - 2 * 0.98 * 0.985 * c + 0.98 ** 2) / (1 - 2 * 0.98 * 0.985 * c + (0.98 * 0.985) ** 2);
  });
  return { wavelength, transmission: transmission.map((t) => t * (1 + 0.001 * random.gaussian())) };
}

describe("spectrumPlot", () => {
  const spectrum = ringSpectrum();
  const dips = findDips(spectrum);

  it("draws a well-formed SVG with every dip marked and labelled", () => {
    expect(dips).toHaveLength(3);
    const svg = spectrumPlot(spectrum, dips, { title: "Ring R1 <through> & drop" });
    const elements = parseXml(svg);
    expect(elements[0]?.name).toBe("svg");
    const labels = texts(elements);
    expect(labels).toContain("Ring R1 <through> & drop");
    for (const dip of dips) expect(labels).toContain(dipLabel(dip));
    expect(labels.filter((t) => /^15\d\d\.\d{3} nm, 1\d\.\d dB, FWHM 1\d\d pm$/.test(t))).toHaveLength(3);
    // One marker per dip (the annotation triangles are the only filled paths).
    expect(elements.filter((e) => e.name === "path" && e.attributes.fill !== "none")).toHaveLength(3);
    expect(labels).toContain("wavelength (nm)");
    expect(labels).toContain("transmission (dB)");
  });

  it("scales the axes to contain the data and the markers, in nm and dB, and draws everything inside the frame", () => {
    const elements = parseXml(spectrumPlot(spectrum, dips));
    const frame = frameOf(elements);
    const dB = Array.from(spectrum.transmission, (t) => 10 * Math.log10(t));
    expect(frame.x[0]).toBeLessThanOrEqual(1535);
    expect(frame.x[1]).toBeGreaterThanOrEqual(1565);
    expect(frame.y[0]).toBeLessThanOrEqual(Math.min(...dB));
    expect(frame.y[1]).toBeGreaterThanOrEqual(Math.max(...dB));
    const points = drawnPoints(elements);
    // 30 001 samples, decimated for drawing, keeping each bucket's extremes.
    expect(points.length).toBeLessThanOrEqual(2400);
    expect(points.length).toBeGreaterThan(1000);
    for (const [x, y] of points) expect(frame.contains(x, y)).toBe(true);
  });

  it("keeps each dip's bottom when decimating", () => {
    const elements = parseXml(spectrumPlot(spectrum, []));
    const frame = frameOf(elements);
    const lowest = Math.max(...drawnPoints(elements).map(([, y]) => y));
    const deepest = 10 * Math.log10(Math.min(...spectrum.transmission));
    expect(lowest).toBeCloseTo(frame.row(deepest), 0);
  });

  it("says why a dip cut off by the span has no width", () => {
    const cut = ringSpectrum(2.4e-4 / 155 - 30e-12, 2000);
    const [dip] = findDips(cut);
    expect(dip?.edge).toBe("start");
    const labels = texts(parseXml(spectrumPlot(cut, findDips(cut))));
    expect(labels.some((t) => /^1548\.387 nm, \d+\.\d dB, FWHM n\/a \(cut off by the span\)$/.test(t))).toBe(
      true,
    );
  });

  it("labels narrow wavelength ticks with enough decimals to tell them apart", () => {
    const narrow = ringSpectrum(1548.2e-9, 400);
    const elements = parseXml(spectrumPlot(narrow, findDips(narrow)));
    const ticks = elements.filter((e) => e.name === "text" && e.attributes["text-anchor"] === "middle");
    const xTicks = ticks.map((e) => e.text).filter((t) => /^1548\.\d+$/.test(t));
    expect(xTicks.length).toBeGreaterThan(3);
    expect(new Set(xTicks).size).toBe(xTicks.length);
  });
});

describe("tuningPlot", () => {
  const random = new SeededRandom(3);
  const points = Array.from({ length: 11 }, (_, k) => ({
    heaterPower: k * 2e-3,
    resonance: 1550e-9 + 85e-12 * k * 2 + 0.5e-12 * random.gaussian(),
    resonanceError: 0.5e-12,
  }));
  const fit = linearFit(
    points.map((p) => p.heaterPower),
    points.map((p) => p.resonance),
    points.map((p) => p.resonanceError),
  );

  it("draws the points with error bars and the fitted line, its slope ± error in pm/mW in the legend", () => {
    const elements = parseXml(tuningPlot(points, fit, { title: "Heater H1" }));
    const labels = texts(elements);
    const legend = labels.find((t) => t.startsWith("fit: "));
    expect(legend).toMatch(/^fit: 8\d\.\d{3} ± 0\.0\d{2} pm\/mW$/);
    const [slope, error] = ((legend as string).match(/[\d.]+/g) ?? []).map(Number) as [number, number];
    expect(slope).toBeCloseTo(fit.slope * 1e9, 3);
    expect(error).toBeCloseTo(fit.slopeError * 1e9, 3);
    expect(Math.abs(slope - 85)).toBeLessThan(3 * error);
    expect(labels).toContain("heater power (mW)");
    expect(labels).toContain("resonance wavelength (nm)");
    expect(elements.filter((e) => e.name === "circle")).toHaveLength(11);
    expect(elements.filter((e) => e.name === "path" && e.attributes.fill === "none")).toHaveLength(11);
    expect(elements.filter((e) => e.name === "polyline")).toHaveLength(1);
  });

  it("scales the axes to contain every point, its error bar and the line", () => {
    const elements = parseXml(tuningPlot(points, fit));
    const frame = frameOf(elements);
    expect(frame.x[0]).toBeLessThanOrEqual(0);
    expect(frame.x[1]).toBeGreaterThanOrEqual(20);
    for (const p of points) {
      expect(frame.y[0]).toBeLessThanOrEqual((p.resonance - p.resonanceError) * 1e9);
      expect(frame.y[1]).toBeGreaterThanOrEqual((p.resonance + p.resonanceError) * 1e9);
    }
    for (const [x, y] of drawnPoints(elements)) expect(frame.contains(x, y)).toBe(true);
  });

  it("leaves out steps where no resonance was found, and draws no line without a fit", () => {
    const some = [...points.slice(0, 3), { heaterPower: 8e-3, resonance: Number.NaN }];
    const elements = parseXml(tuningPlot(some, undefined));
    expect(elements.filter((e) => e.name === "circle")).toHaveLength(3);
    expect(elements.filter((e) => e.name === "polyline")).toHaveLength(0);
    expect(texts(elements).some((t) => t.startsWith("fit"))).toBe(false);
  });
});

describe("pulsePlot", () => {
  const pulse = Float64Array.from({ length: 21 }, (_, k) => k);
  const transmission = pulse.map((k) => 0.5 * Math.exp(-k / 8) + 0.05);

  it("draws the readout after each pulse in dB, inside axes that contain it", () => {
    const elements = parseXml(pulsePlot({ pulse, transmission }, { title: "PCM patch P1" }));
    expect(texts(elements)).toEqual(
      expect.arrayContaining(["PCM patch P1", "pulse number", "transmission (dB)"]),
    );
    expect(elements.filter((e) => e.name === "circle")).toHaveLength(21);
    const frame = frameOf(elements);
    const dB = Array.from(transmission, (t) => 10 * Math.log10(t));
    expect(frame.x[0]).toBeLessThanOrEqual(0);
    expect(frame.x[1]).toBeGreaterThanOrEqual(20);
    expect(frame.y[0]).toBeLessThanOrEqual(Math.min(...dB));
    expect(frame.y[1]).toBeGreaterThanOrEqual(Math.max(...dB));
    for (const [x, y] of drawnPoints(elements)) expect(frame.contains(x, y)).toBe(true);
  });

  it("refuses columns of different lengths", () => {
    expect(() => pulsePlot({ pulse: [0, 1], transmission: [1] })).toThrow(/2 pulses but 1/);
  });
});

describe("svgPlot, as the I-V job uses it", () => {
  it("is unchanged for a plain line plot: three-digit tick labels, a legend, well-formed", () => {
    const x = Float64Array.from({ length: 41 }, (_, k) => -1 + k / 20);
    const elements = parseXml(
      svgPlot({
        title: "I-V",
        xLabel: "voltage (V)",
        yLabel: "current (A)",
        series: [
          { name: "measured", x, y: x.map((v) => v / 1000), color: "#000", markers: true },
          { name: "model", x, y: x.map((v) => v / 1000), color: "#c00" },
        ],
      }),
    );
    const labels = texts(elements);
    expect(labels).toEqual(
      expect.arrayContaining(["measured", "model", "-1", "0", "0.5", "0.001", "-0.0005"]),
    );
    expect(elements.filter((e) => e.name === "circle")).toHaveLength(41);
  });

  it("has no trouble with more points than a function call takes arguments", () => {
    const x = Float64Array.from({ length: 300_000 }, (_, k) => k);
    expect(() =>
      parseXml(
        svgPlot({ title: "big", xLabel: "x", yLabel: "y", series: [{ name: "s", x, y: x, color: "#000" }] }),
      ),
    ).not.toThrow();
  });
});
