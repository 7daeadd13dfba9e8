import { decisionSummaryLine } from '../../src/gate/outputs.js';

describe('decisionSummaryLine', () => {
  it('gives one Markdown line with the reason', () => {
    const line = decisionSummaryLine({
      deploy: true,
      environment: 'production',
      reason: 'deploying to production: push to main matched deploy-branches main',
    });
    expect(line).toBe(
      '🚀 **Deploy gate**: deploying to production: push to main matched deploy\\-branches main'.replace(
        '\\-',
        '-',
      ),
    );
    expect(line).not.toContain('\n');
  });

  it('escapes Markdown and HTML that branch names may carry', () => {
    const line = decisionSummaryLine({
      deploy: false,
      environment: '',
      reason: 'not deploying: branch <img>/*x*_[y]`z` does not match deploy-branches main',
    });
    expect(line).toBe(
      '⏸️ **Deploy gate**: not deploying: branch &lt;img&gt;/\\*x\\*\\_\\[y\\]\\`z\\` does not match deploy-branches main',
    );
  });
});
