import { describe, expect, it } from 'vitest';
import { checkTemplate, expandPlaceholders, instanceContext } from '../../shared/placeholders';

describe('placeholders', () => {
  const ctx = instanceContext(2, 4, 2); // third of four, two GPUs
  it.each([
    ['-PixelStreamingURL=ws://127.0.0.1:{8888+i}', '-PixelStreamingURL=ws://127.0.0.1:8890'],
    ['-PixelStreamingID=stream{n}', '-PixelStreamingID=stream3'],
    ['-GraphicsAdapter={gpu}', '-GraphicsAdapter=0'],
    ['{9000 + 2*i}', '9004'],
    ['{n-1}/{count}', '2/4'],
    ['{{literal}} {n}', '{literal} 3'],
    ['no placeholders & | ^ % "quoted"', 'no placeholders & | ^ % "quoted"'],
    ['', ''],
  ])('%s → %s', (template, expected) => {
    expect(expandPlaceholders(template, ctx)).toBe(expected);
  });

  it.each([
    ['{x}', /Unknown placeholder "x"/],
    ['{n', /Unclosed/],
    ['n}', /Unmatched/],
    ['{}', /Empty/],
    ['{1+}', /Expected a number/],
    ['{i i}', /Expected \+ or -/],
    ['{8888;rm -rf}', /Unexpected/],
  ])('rejects %s', (template, message) => {
    expect(checkTemplate(template)).toMatch(message);
  });

  it('assigns GPUs round-robin', () => {
    expect([0, 1, 2, 3, 4].map((i) => instanceContext(i, 5, 2).gpu)).toEqual([0, 1, 0, 1, 0]);
    expect(instanceContext(3, 5, 0).gpu).toBe(0);
  });
});
