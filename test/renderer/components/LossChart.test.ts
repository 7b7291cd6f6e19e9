import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import LossChart from '../../../src-renderer/src/components/LossChart.vue';
import { epochMetrics, loss } from '../fixtures';

function pointsOf(polyline: Element): number[][] {
  return (polyline.getAttribute('points') ?? '')
    .trim()
    .split(/\s+/)
    .map((pair) => pair.split(',').map(Number));
}

describe('LossChart', () => {
  it('draws reconstruction, KL and −ELBO for train and validation, one point per epoch', () => {
    const history = [1, 2, 3, 4, 5].map((e) => epochMetrics(e));
    const wrapper = mount(LossChart, { props: { history, epochs: 10 } });
    const lines = wrapper.findAll('polyline');
    // −ELBO first, a wide pale band, so the reconstruction line drawn over it stays visible.
    expect(lines.map((l) => l.attributes('data-series'))).toEqual([
      'train-negElbo',
      'train-reconstruction',
      'train-kl',
      'val-negElbo',
      'val-reconstruction',
      'val-kl',
    ]);
    expect(lines.slice(0, 3).map((l) => Number(l.attributes('stroke-width')))).toEqual([5, 2, 2]);
    for (const line of lines) expect(pointsOf(line.element)).toHaveLength(5);
    // Validation lines are dashed, train lines solid.
    expect(lines.map((l) => l.attributes('stroke-dasharray') ?? 'solid')).toEqual([
      'solid',
      'solid',
      'solid',
      '6 4',
      '6 4',
      '6 4',
    ]);
  });

  it('leaves out validation lines when no epoch has validation', () => {
    const history = [1, 2, 3].map((e) => epochMetrics(e, false));
    const wrapper = mount(LossChart, { props: { history } });
    expect(wrapper.findAll('polyline').map((l) => l.attributes('data-series'))).toEqual([
      'train-negElbo',
      'train-reconstruction',
      'train-kl',
    ]);
  });

  it('plots later epochs further right and larger losses higher', () => {
    const wrapper = mount(LossChart, { props: { history: [1, 2, 3].map((e) => epochMetrics(e)) } });
    const negElbo = pointsOf(wrapper.find('[data-series="train-negElbo"]').element);
    const xs = negElbo.map(([x]) => x!);
    const ys = negElbo.map(([, y]) => y!);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    // The loss falls with each epoch (200/epoch), so y (downwards in SVG) grows.
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
  });

  it('marks the epoch in progress with a running point per term, right of the finished epochs', () => {
    const wrapper = mount(LossChart, {
      props: {
        history: [epochMetrics(1), epochMetrics(2)],
        running: { epoch: 3, loss: loss(60) },
        epochs: 5,
      },
    });
    const dots = wrapper.findAll('circle[data-running]');
    expect(dots.map((d) => d.attributes('data-running'))).toEqual(['negElbo', 'reconstruction', 'kl']);
    const lastX = pointsOf(wrapper.find('[data-series="train-negElbo"]').element).at(-1)![0]!;
    expect(Number(dots[0]!.attributes('cx'))).toBeGreaterThan(lastX);
    expect(wrapper.text()).toContain('epoch 3 so far');
  });

  it('describes the latest losses for assistive technology', () => {
    const wrapper = mount(LossChart, { props: { history: [epochMetrics(1), epochMetrics(2)] } });
    expect(wrapper.find('svg').attributes('role')).toBe('img');
    expect(wrapper.find('svg').attributes('aria-label')).toBe(
      'Loss per epoch, 2 epochs. Epoch 2: −ELBO train 100.0 (reconstruction 80.00, KL 20.00), validation 110.0 nats per image.',
    );
  });

  it('draws the KL in a pane of its own, so a KL of a few nats is not flattened at 0 by the hundreds', () => {
    // −ELBO falls from 300 to 200 while the KL rises from 1 to 4 nats.
    const history = [1, 2, 3, 4].map((e) => {
      const m = epochMetrics(e, false);
      const kl = e;
      const negElbo = 300 - (e - 1) * 33;
      return { ...m, train: { ...m.train, kl, reconstruction: negElbo - kl, negElbo } };
    });
    const wrapper = mount(LossChart, { props: { history } });
    expect(wrapper.findAll('[data-pane="kl"] .axis-title').map((t) => t.text())).toEqual([
      'KL, nats / image',
    ]);
    const ys = (id: string) => pointsOf(wrapper.find(`[data-series="${id}"]`).element).map(([, y]) => y!);
    const kl = ys('train-kl');
    const negElbo = ys('train-negElbo');
    // The KL rises over most of its pane's height (tens of units), below the other pane.
    expect(kl[0]! - kl[3]!).toBeGreaterThan(30);
    expect(Math.min(...kl)).toBeGreaterThan(Math.max(...negElbo));
    expect(wrapper.find('[data-series="train-kl"]').attributes('data-pane')).toBe('kl');
    // −ELBO and reconstruction share the upper pane, whose axis starts near them: the KL between them shows.
    const reconstruction = ys('train-reconstruction');
    expect(reconstruction[3]! - negElbo[3]!).toBeGreaterThan(1);
    const labels = wrapper.findAll('[data-pane="elbo"] text').map((t) => Number(t.text()));
    expect(Math.min(...labels.filter(Number.isFinite))).toBeGreaterThan(100);
  });
});
