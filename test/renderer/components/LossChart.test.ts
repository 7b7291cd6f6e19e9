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
    expect(lines.map((l) => l.attributes('data-series'))).toEqual([
      'train-reconstruction',
      'train-kl',
      'train-negElbo',
      'val-reconstruction',
      'val-kl',
      'val-negElbo',
    ]);
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
      'train-reconstruction',
      'train-kl',
      'train-negElbo',
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
    expect(dots.map((d) => d.attributes('data-running'))).toEqual(['reconstruction', 'kl', 'negElbo']);
    const lastX = pointsOf(wrapper.find('[data-series="train-negElbo"]').element).at(-1)![0]!;
    expect(Number(dots[2]!.attributes('cx'))).toBeGreaterThan(lastX);
    expect(wrapper.text()).toContain('epoch 3 so far');
  });

  it('describes the latest losses for assistive technology', () => {
    const wrapper = mount(LossChart, { props: { history: [epochMetrics(1), epochMetrics(2)] } });
    expect(wrapper.find('svg').attributes('role')).toBe('img');
    expect(wrapper.find('svg').attributes('aria-label')).toBe(
      'Loss per epoch, 2 epochs. Epoch 2: −ELBO train 100.0, validation 110.0 nats per image.',
    );
  });
});
