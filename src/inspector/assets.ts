import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where `npm run build` puts the page: dist/inspector/ui, beside the compiled inspector. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL("./ui/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Only plain file names, so no request can climb out of the assets folder. */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(js|css|svg|png)$/;

export const TOKEN_PLACEHOLDER = "__INSPECTOR_TOKEN__";

export interface Asset {
  contentType: string;
  body: Buffer;
}

/** The page's files, read once from the package and kept in memory (they are a few KiB). */
export function createAssets(dir: string, token: string) {
  const cache = new Map<string, Asset | null>();
  const read = (name: string): Buffer | null => {
    try {
      return readFileSync(join(dir, name));
    } catch {
      return null;
    }
  };
  return {
    /** The page, with this run's token in a meta tag; null when the build left it out. */
    page(): Asset | null {
      if (!cache.has("index.html")) {
        const html = read("index.html");
        cache.set(
          "index.html",
          html && { contentType: "text/html; charset=utf-8", body: Buffer.from(html.toString("utf8").replace(TOKEN_PLACEHOLDER, token)) },
        );
      }
      return cache.get("index.html")!;
    },
    file(name: string): Asset | null {
      const extension = ASSET_NAME.exec(name)?.[1];
      if (!extension) return null;
      if (!cache.has(name)) {
        const body = read(name);
        cache.set(name, body && { contentType: CONTENT_TYPES[`.${extension}`]!, body });
      }
      return cache.get(name)!;
    },
  };
}
