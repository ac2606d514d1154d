// @ts-check
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "packages/*/dist/", "node_modules/", "coverage/", "**/node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { globals: globals.node, sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // The page is built by its own tsconfig (DOM, no Node).
    files: ["src/inspector/ui/**/*.ts"],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: false, project: "./tsconfig.ui.json", tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      // The output layer owns the terminal; everything else returns data or writes to a stream it is given.
      "no-console": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
    },
  },
  {
    files: ["src/output/**/*.ts"],
    rules: { "no-console": "off" },
  },
  {
    // The core speaks in data: the adapters (commands, cli, mcp) and the output layer depend on it, never the reverse.
    files: ["src/{api,conformance,delivery,events,inspector,library,mock,receiver,registry,sandbox,store,tunnel,verify}/**/*.ts", "src/signing.ts"],
    ignores: ["src/inspector/ui/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "(^|/)(commands|cli|output|mcp)(/|\\.js$)", message: "the core must not import an adapter or the output layer" }] },
      ],
    },
  },
  {
    // The MCP server is an adapter beside the commands: what it shares with one is in the core, cli/ or output/.
    files: ["src/mcp/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "(^|/)commands/", message: "an MCP tool must not import a command module" }] }],
    },
  },
);
