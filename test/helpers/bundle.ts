import { build } from 'rolldown'

/**
 * Bundle `entry` and everything it imports into one ESM file for a Web-standard runtime (workerd,
 * Bun, Deno, a browser): no Node built-in is provided, so a `node:` import fails the build.
 * Resolves the source's `.js` specifiers to its `.ts` files, as TypeScript does.
 */
export async function bundleForWeb(
  entry: string,
  outFile: string,
  { minify = false }: { minify?: boolean } = {},
): Promise<void> {
  await build({
    input: entry,
    platform: 'browser',
    resolve: {
      extensionAlias: { '.js': ['.ts', '.js'] },
      conditionNames: ['workerd', 'worker', 'browser', 'import', 'default'],
    },
    external: [/^node:/],
    logLevel: 'silent',
    output: { file: outFile, format: 'esm', minify, codeSplitting: false },
    write: true,
  })
}
