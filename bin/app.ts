// The CDK app (`npx cdk synth|deploy -c stage=...`): builds the web wizard, assembles the stacks of the stage
// from context and runs cdk-nag's AwsSolutions pack, which stops synth on any unacknowledged finding.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createApp } from '../lib/app.ts';
import { DeployConfigError } from '../lib/config.ts';
import { projectRoot } from '../lib/service-function.ts';

/** Built at synth time into a git-ignored folder, so what deploys is always the current web source. */
async function buildSite(): Promise<string | undefined> {
  const builder = join(projectRoot, 'web', 'build.ts');
  if (existsSync(builder)) {
    const { buildWeb } = (await import(builder)) as { buildWeb(outDir: string): Promise<void> };
    const outDir = join(projectRoot, '.cache', 'web-dist');
    await buildWeb(outDir);
    return outDir;
  }
  const prebuilt = join(projectRoot, 'web', 'dist');
  return existsSync(join(prebuilt, 'index.html')) ? prebuilt : undefined;
}

try {
  const { app } = createApp({ siteDirectory: await buildSite() });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  if (error instanceof DeployConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
