import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where `npm run build` puts the page: dist/inspector/ui, beside the compiled inspector. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL("./ui/", import.meta.url));

const CONTENT_TYPES = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
} as const;

/** Only plain file names, so no request can climb out of the assets folder. */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(js|css|svg|png)$/;

function isAssetExtension(extension: string | undefined): extension is keyof typeof CONTENT_TYPES {
  return extension !== undefined && Object.hasOwn(CONTENT_TYPES, extension);
}

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
      const cached = cache.get("index.html");
      if (cached !== undefined) return cached;
      const html = read("index.html");
      const page = html && { contentType: "text/html; charset=utf-8", body: Buffer.from(html.toString("utf8").replace(TOKEN_PLACEHOLDER, token)) };
      cache.set("index.html", page);
      return page;
    },
    file(name: string): Asset | null {
      const extension = ASSET_NAME.exec(name)?.[1];
      if (!isAssetExtension(extension)) return null;
      const cached = cache.get(name);
      if (cached !== undefined) return cached;
      const body = read(name);
      const asset = body && { contentType: CONTENT_TYPES[extension], body };
      cache.set(name, asset);
      return asset;
    },
  };
}

export type Assets = ReturnType<typeof createAssets>;
