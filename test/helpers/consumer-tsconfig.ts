/**
 * The tsconfig of a handler's TypeScript project that installed one of our packages: as strict as
 * users set it, compiling the test's consumer.ts against the installed declarations.
 */
export const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022"],
    types: ["node"],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    // Checking every .d.ts (zod's, node's) takes 30 s; a broken one of ours still shows, as the
    // any-typed results would leave the consumer's @ts-expect-error lines unused, which is an error.
    skipLibCheck: true,
    outDir: "out",
  },
  include: ["consumer.ts"],
};
