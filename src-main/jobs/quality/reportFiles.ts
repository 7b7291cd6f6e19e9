import { join, relative } from 'node:path';
import type { NearCopy, QualityHistoryEntry, QualityReport } from '../../contract/index.js';
import { encodeImage } from '../../dataset/index.js';
import { pickImages, tileImages, type ImageBatch } from '../../engine/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomicWrite.js';
import { makeFolder } from '../../util/folders.js';

/** Near-copies shown as images in the report (all are listed in report.json and neighbours.csv). */
export const MAX_COPY_IMAGES = 48;
/** Scored images shown beside their nearest training image in pixels, closest first, flagged or not. */
export const CLOSEST_SHOWN = 8;
/** Scored images in the report's sample grid. */
const SAMPLE_GRID = 64;

/**
 * `n` of `count` images evenly spaced, in order: a conditional model's samples come class by class, so the grid
 * shows every class (each in a run of cells) rather than the first class's 64.
 */
export function gridIndices(count: number, n: number): number[] {
  const k = Math.min(n, count);
  return Array.from({ length: k }, (_, i) => Math.floor((i * count) / k));
}

/** One scored image's nearest training images, for neighbours.csv. */
export interface ScoredNeighbours {
  training: string;
  distance: number;
  pixelTraining: string;
  pixelDistance: number;
  copy: boolean;
}

/** The report's PNGs: the sample grid, and each shown near-copy beside its two nearest training images. */
export async function writeReportImages(
  dir: string,
  scored: ImageBatch,
  dataset: ImageBatch,
  copies: Omit<NearCopy, 'image'>[],
  closest: Omit<NearCopy, 'image'>[] = [],
): Promise<{ samples: string; copies: NearCopy[]; closest: NearCopy[] }> {
  await makeFolder(join(dir, 'copies'));
  const samples = join(dir, 'samples.png');
  const grid = tileImages(pickImages(scored, gridIndices(scored.count, SAMPLE_GRID)), 8);
  await writeFileAtomic(
    samples,
    await encodeImage(grid.pixels, grid.width, grid.height, grid.channels, 'png'),
  );
  const shown: NearCopy[] = [];
  for (const copy of [...copies].sort((a, b) => a.distance - b.distance).slice(0, MAX_COPY_IMAGES)) {
    shown.push(await writeBesideTraining(join(dir, 'copies'), copy, scored, dataset));
  }
  const nearest: NearCopy[] = [];
  if (closest.length > 0) await makeFolder(join(dir, 'closest'));
  for (const one of closest)
    nearest.push(await writeBesideTraining(join(dir, 'closest'), one, scored, dataset));
  return { samples, copies: shown, closest: nearest };
}

/**
 * `<index>.png` (the scored image) and `<index>-beside-training.png` (it, its nearest training image in features,
 * its nearest in pixels) in `folder`.
 */
async function writeBesideTraining(
  folder: string,
  copy: Omit<NearCopy, 'image'>,
  scored: ImageBatch,
  dataset: ImageBatch,
): Promise<NearCopy> {
  const image = join(folder, `${copy.index}.png`);
  const one = pickImages(scored, [copy.index]);
  await writeFileAtomic(image, await encodeImage(one.pixels, one.size, one.size, one.channels, 'png'));
  // The pair: scored | nearest in features | nearest in pixels.
  const trio = tileImages(
    {
      ...one,
      count: 3,
      pixels: concat([
        one.pixels,
        pickImages(dataset, [copy.trainingIndex]).pixels,
        pickImages(dataset, [copy.pixelTrainingIndex]).pixels,
      ]),
    },
    3,
  );
  await writeFileAtomic(
    join(folder, `${copy.index}-beside-training.png`),
    await encodeImage(trio.pixels, trio.width, trio.height, trio.channels, 'png'),
  );
  return { ...copy, image };
}

/** Every scored image's nearest training images, one row each. */
export async function writeNeighboursCsv(dir: string, rows: ScoredNeighbours[]): Promise<string> {
  const file = join(dir, 'neighbours.csv');
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = [
    'index,nearest_training_features,feature_distance,nearest_training_pixels,pixel_rms_distance,near_copy',
    ...rows.map(
      (r, i) =>
        `${i},${quote(r.training)},${r.distance.toFixed(6)},${quote(r.pixelTraining)},${r.pixelDistance.toFixed(6)},${r.copy}`,
    ),
  ];
  await writeFileAtomic(file, lines.join('\n') + '\n');
  return file;
}

type ReportBody = Omit<QualityReport, 'report' | 'markdown' | 'html'>;

/** report.json, report.md and report.html (images beside them, linked relatively so the folder can move). */
export async function writeReportDocuments(
  dir: string,
  body: ReportBody,
  trend: QualityHistoryEntry[],
): Promise<QualityReport> {
  const report: QualityReport = {
    ...body,
    report: join(dir, 'report.json'),
    markdown: join(dir, 'report.md'),
    html: join(dir, 'report.html'),
  };
  await writeJsonAtomic(report.report, report);
  await writeFileAtomic(report.markdown, markdownOf(dir, report, trend));
  await writeFileAtomic(report.html, htmlOf(dir, report, trend));
  return report;
}

const n = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The figures as rows [name, value, what it means]. */
function figureRows(r: QualityReport): [string, string, string][] {
  return [
    [
      'FID (these features)',
      n(r.fid),
      'Fréchet distance of the feature statistics; 0 when the sets match, lower is better',
    ],
    [
      'KID',
      `${n(r.kid, 4)} ± ${n(r.kidStandardError, 4)}`,
      'kernel distance, unbiased; near 0 when the sets match',
    ],
    ['precision (k = 3)', n(r.precision), 'share of samples that fall among real images: realism'],
    ['recall (k = 3)', n(r.recall), 'share of real images the samples reach: variety'],
    ['density (k = 5)', n(r.density), 'how crowded real neighbourhoods are with samples; ≈ 1 for a match'],
    [
      'coverage (k = 5)',
      n(r.coverage),
      "share of real images with a sample among their neighbours: the real data's variety covered",
    ],
    [
      'near-copies',
      `${r.copies.count} (${pct(r.copies.fraction)})`,
      'samples closer to a training image than unseen real images ever are',
    ],
    [
      'data-copying test Z',
      n(r.copies.dataCopyingZ, 2),
      'below −3: samples sit closer to training images than unseen real ones do',
    ],
    [
      '−ELBO, nats/image (bits/dim)',
      `${n(r.negElbo, 2)} (${n(r.negElboBitsPerDim, 4)})`,
      'one-sample bound on held-out images; lower is better',
    ],
    [
      `importance-weighted −log p(x), k = ${r.iwSamples}, on ${r.iwImages} images`,
      `${n(r.iwNll, 2)} ± ${n(r.iwStandardError, 2)} (${n(r.iwBitsPerDim, 4)})`,
      `a tighter bound than the −ELBO (${n(r.iwNegElbo, 2)} on the same images)`,
    ],
    [
      'active latent units',
      `${r.activeUnits} of ${r.latentDim}`,
      'latent dimensions whose code varies with the image',
    ],
  ];
}

function classRows(r: QualityReport): string[][] {
  return r.perClass.map((c) => [
    c.label,
    `${c.scoredCount} (${pct(c.scoredShare)})`,
    `${c.realCount} (${pct(c.realShare)})`,
    c.figures ? n(c.figures.fid) : 'too few',
    c.figures ? n(c.figures.precision) : '',
    c.figures ? n(c.figures.recall) : '',
    c.figures ? n(c.figures.coverage) : '',
    String(c.copies),
    // A conditional model's own samples: how often each shows the class it was asked for.
    ...(r.classAgreement !== undefined ? [c.agreement !== undefined ? pct(c.agreement) : ''] : []),
  ]);
}

/** The by-class table's head: a conditional model's report has the class agreement too. */
function classHead(r: QualityReport): string[] {
  return r.classAgreement !== undefined ? [...CLASS_HEAD, 'class agreement'] : CLASS_HEAD;
}
const CLASS_HEAD = [
  'class',
  'samples (share)',
  'real (share)',
  'FID',
  'precision',
  'recall',
  'coverage',
  'copies',
];

function trendRows(trend: QualityHistoryEntry[], r: QualityReport): string[][] {
  const rows = [...trend.filter((t) => t.report !== r.report), { ...r, copiesFraction: r.copies.fraction }];
  return rows.map((t) => [
    t.createdAt.slice(0, 16).replace('T', ' '),
    t.model.archived ? `archived (${t.model.archived}), epoch ${t.model.epoch}` : `epoch ${t.model.epoch}`,
    n(t.fid),
    n(t.precision),
    n(t.recall),
    n(t.coverage),
    pct(t.copiesFraction),
  ]);
}
const TREND_HEAD = ['report', 'model', 'FID', 'precision', 'recall', 'coverage', 'near-copies'];

function describeSources(r: QualityReport): string {
  const scored =
    r.scored.source === 'model'
      ? `sampled from the model${r.scored.sampler ? ` (${r.scored.sampler} sampler)` : ''}`
      : `from the folder ${r.scored.folder ?? ''}`;
  const real = {
    'validation-split': 'the validation split the model never trained on',
    'training-set': 'the training images (the model had no validation split)',
    folder: 'a folder of real images',
  }[r.real.source];
  return `Scored: ${r.scored.count} images ${scored}. Real: ${r.real.count} images, ${real}.`;
}

function markdownOf(dir: string, r: QualityReport, trend: QualityHistoryEntry[]): string {
  const table = (head: string[], rows: string[][]) => [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
  const rel = (file: string) => relative(dir, file).split('\\').join('/');
  return [
    `# Quality of the model at epoch ${r.model.epoch}${r.model.archived ? ' (archived)' : ''}`,
    '',
    ...r.verdict.map((l) => `- ${l}`),
    '',
    describeSources(r),
    `Features: ${r.featureNetwork}.`,
    '',
    ...table(['figure', 'value', 'what it means'], figureRows(r)),
    '',
    `![samples](${rel(r.samples)})`,
    '',
    ...(r.perClass.length ? ['## By class', '', ...table(classHead(r), classRows(r)), ''] : []),
    '## Near-copies',
    '',
    `Rule: ${r.copies.rule} (threshold ${n(r.copies.threshold, 4)}). Data-copying test: Meehan et al. 2020, the ` +
      'Mann–Whitney z-score of the scored against the held-out images’ distances to the training set, over the ' +
      'whole set as one cell.',
    '',
    ...(r.copies.files.length === 0
      ? [`No near-copies among ${r.scored.count} images.`]
      : r.copies.files.flatMap((c) => [
          `- image ${c.index}: nearest training image ${c.training} (feature distance ${n(c.distance, 4)}), in pixels ${c.pixelTraining} (RMS ${n(c.pixelDistance, 4)})`,
          '',
          `  ![image ${c.index} beside its training images](${rel(join(dir, 'copies', `${c.index}-beside-training.png`))})`,
          '',
        ])),
    '',
    ...closestMarkdown(r, (c) => rel(join(dir, 'closest', `${c.index}-beside-training.png`))),
    'Every scored image’s nearest training image, in features and in pixels: neighbours.csv.',
    '',
    '## Across the project’s models',
    '',
    ...table(TREND_HEAD, trendRows(trend, r)),
    '',
    `Latent KL per dimension (nats): ${r.klPerDim.map((x) => n(x, 2)).join(', ')}.`,
    '',
    `Checkpoint: ${r.model.checkpoint}. Took ${r.seconds.toFixed(1)} s (${timingsOf(r)}).`,
    '',
  ].join('\n');
}

function htmlOf(dir: string, r: QualityReport, trend: QualityHistoryEntry[]): string {
  const esc = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const rel = (file: string) => esc(relative(dir, file).split('\\').join('/'));
  const table = (head: string[], rows: string[][]) =>
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>';
  const copies =
    r.copies.files.length === 0
      ? `<p>No near-copies among ${r.scored.count} images.</p>`
      : r.copies.files
          .map(
            (c) =>
              `<figure><img src="${rel(join(dir, 'copies', `${c.index}-beside-training.png`))}" alt="image ${c.index} beside its nearest training images">` +
              `<figcaption>image ${c.index} | nearest in features: ${esc(c.training)} (${n(c.distance, 4)}) | nearest in pixels: ${esc(c.pixelTraining)} (RMS ${n(c.pixelDistance, 4)})</figcaption></figure>`,
          )
          .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Quality report, epoch ${r.model.epoch}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}img{image-rendering:pixelated;width:min(100%,36em)}figure img{width:18em}</style>
</head><body>
<h1>Quality of the model at epoch ${r.model.epoch}${r.model.archived ? ' (archived)' : ''}</h1>
<ul>${r.verdict.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
<p>${esc(describeSources(r))} Features: ${esc(r.featureNetwork)}.</p>
${table(['figure', 'value', 'what it means'], figureRows(r))}
<img src="${rel(r.samples)}" alt="scored images">
${r.perClass.length ? `<h2>By class</h2>${table(classHead(r), classRows(r))}` : ''}
<h2>Near-copies</h2>
<p>Rule: ${esc(r.copies.rule)} (threshold ${n(r.copies.threshold, 4)}).</p>
${copies}
${closestHtml(r, esc, (c) => rel(join(dir, 'closest', `${c.index}-beside-training.png`)))}
<p>Every scored image’s nearest training images: <a href="neighbours.csv">neighbours.csv</a>.</p>
<h2>Across the project’s models</h2>
${table(TREND_HEAD, trendRows(trend, r))}
<p>Checkpoint: ${esc(r.model.checkpoint)}. Took ${r.seconds.toFixed(1)} s (${esc(timingsOf(r))}).</p>
</body></html>
`;
}

function timingsOf(r: QualityReport): string {
  return r.timings.map((t) => `${t.phase} ${t.seconds.toFixed(1)} s`).join(', ');
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The heading over the closest samples, in both report formats. */
const CLOSEST_TITLE = 'Closest to a training image';
/** What the closest samples are, in words. */
function closestIntro(r: QualityReport): string {
  return (
    `The ${r.copies.closest!.length} scored images nearest a training image in pixels, closest first, whether or ` +
    'not the rule above calls them near-copies: look at them, since a sample that redraws a training image with ' +
    'some speckle can sit no closer to it than the data’s own near-twins do to each other.'
  );
}

function closestMarkdown(r: QualityReport, file: (c: NearCopy) => string): string[] {
  if (!r.copies.closest?.length) return [];
  return [
    `### ${CLOSEST_TITLE}`,
    '',
    closestIntro(r),
    '',
    ...r.copies.closest.flatMap((c) => [
      `- image ${c.index}: ${c.pixelTraining} at pixel RMS ${n(c.pixelDistance, 4)}, ${flagText(r, c)}`,
      '',
      `  ![image ${c.index} beside its training images](${file(c)})`,
      '',
    ]),
  ];
}

/** `file` gives each image's path, already escaped for HTML. */
function closestHtml(r: QualityReport, esc: (s: string) => string, file: (c: NearCopy) => string): string {
  if (!r.copies.closest?.length) return '';
  return (
    `<h3>${CLOSEST_TITLE}</h3><p>${esc(closestIntro(r))}</p>` +
    r.copies.closest
      .map(
        (c) =>
          `<figure><img src="${file(c)}" alt="image ${c.index} beside its nearest training images">` +
          `<figcaption>image ${c.index} | nearest in pixels: ${esc(c.pixelTraining)} (RMS ${n(c.pixelDistance, 4)}), ${flagText(r, c)}</figcaption></figure>`,
      )
      .join('')
  );
}

/** Whether the rule called one of the closest images a near-copy. */
function flagText(r: QualityReport, c: NearCopy): string {
  return r.copies.files.some((f) => f.index === c.index) ? 'a near-copy by the rule' : 'not one by the rule';
}
