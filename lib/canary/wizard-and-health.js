// CloudWatch Synthetics canary (Puppeteer runtime): loads the wizard through CloudFront as a customer's
// browser would, then calls /v1/health on the same origin. Any failure marks the run failed, which the
// WizardCanary alarm watches. It never submits a form: no customer data, no SMS, no load on the tables.
const synthetics = require('Synthetics');

exports.handler = async () => {
  const site = process.env.SITE_URL;
  if (!site) throw new Error('SITE_URL is not set');
  const page = await synthetics.getPage();

  await synthetics.executeStep('loadWizard', async () => {
    const response = await page.goto(`${site}/`, { waitUntil: 'domcontentloaded', timeout: 30000 });
    if (response?.status() !== 200) {
      throw new Error(`wizard page answered ${response ? response.status() : 'nothing'}`);
    }
    // The wizard mounts into <main id="app">; without it the page or its script did not load.
    await page.waitForSelector('#app', { timeout: 15000 });
  });

  await synthetics.executeStep('apiHealth', async () => {
    const response = await page.goto(`${site}/v1/health`, { waitUntil: 'load', timeout: 15000 });
    const body = response ? await response.text() : '';
    if (response?.status() !== 200 || !body.includes('"ok"')) {
      throw new Error(`/v1/health answered ${response ? response.status() : 'nothing'}`);
    }
  });
};
