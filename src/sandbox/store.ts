import type { Db } from "../store/database.js";
import type { DataJob } from "./platforms.js";
import type { Account, Employment, Identity, Income, LinkToken, Paystub, SandboxAccount, Shift } from "./records.js";

/**
 * The sandbox's tables live beside the event store in the same SQLite file, so `mock` serves
 * after a restart what `sandbox connect` created. They are created here, idempotently, rather
 * than by a numbered migration: the sandbox is a stand-in's state, and a database written by an
 * older pinwheel-cli simply gains them on first use.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sandbox_accounts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    api_key TEXT NOT NULL,
    end_user_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS sandbox_accounts_end_user ON sandbox_accounts (api_key, end_user_id, seq);
  CREATE TABLE IF NOT EXISTS sandbox_items (
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    date TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, id)
  );
  CREATE INDEX IF NOT EXISTS sandbox_items_order ON sandbox_items (account_id, kind, date, id);
  CREATE TABLE IF NOT EXISTS sandbox_link_tokens (
    id TEXT PRIMARY KEY,
    api_key TEXT NOT NULL,
    end_user_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
  );
`;

export type ItemKind = "paystubs" | "shifts";

/** An account as stored: everything but its paystubs and shifts, which are paged from their own table. */
export interface StoredAccount {
  account: Account;
  jobs: DataJob[];
  failedJobs: DataJob[];
  employment?: Employment;
  income?: Income;
  identity?: Identity;
}

export interface AccountSummary {
  account: Account;
  jobs: DataJob[];
  failedJobs: DataJob[];
  paystubs: number;
  shifts: number;
}

export interface LinkTokenRecord {
  linkToken: LinkToken;
  endUserId: string;
  platformId: string | null;
  employerId: string | null;
}

/** Where a page starts: after the item with this date and id, newest first. */
export interface ItemPosition {
  date: string;
  id: string;
}

export interface ItemQuery {
  from?: string;
  to?: string;
  after?: ItemPosition;
  limit: number;
}

export function sandboxStore(db: Db, apiKey: string) {
  db.exec(SCHEMA);
  const statements = {
    removeItems: db.prepare(`DELETE FROM sandbox_items WHERE account_id = ?`),
    removeAccount: db.prepare(`DELETE FROM sandbox_accounts WHERE id = ?`),
    insertAccount: db.prepare(`INSERT INTO sandbox_accounts (id, api_key, end_user_id, created_at, body) VALUES (?, ?, ?, ?, ?)`),
    insertItem: db.prepare(`INSERT INTO sandbox_items (account_id, kind, id, date, body) VALUES (?, ?, ?, ?, ?)`),
    account: db.prepare(`SELECT body FROM sandbox_accounts WHERE api_key = ? AND id = ?`).pluck(),
    updateAccount: db.prepare(`UPDATE sandbox_accounts SET body = ? WHERE api_key = ? AND id = ?`),
    ofEndUser: db.prepare(`SELECT seq, body FROM sandbox_accounts WHERE api_key = ? AND end_user_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
    all: db.prepare(`
      SELECT a.body,
        (SELECT count(*) FROM sandbox_items i WHERE i.account_id = a.id AND i.kind = 'paystubs') AS paystubs,
        (SELECT count(*) FROM sandbox_items i WHERE i.account_id = a.id AND i.kind = 'shifts') AS shifts
      FROM sandbox_accounts a WHERE a.api_key = ? ORDER BY a.seq`),
    items: db.prepare(`
      SELECT date, id, body FROM sandbox_items
      WHERE account_id = @accountId AND kind = @kind AND date >= @from AND date <= @to
        AND (@afterDate IS NULL OR date < @afterDate OR (date = @afterDate AND id < @afterId))
      ORDER BY date DESC, id DESC LIMIT @limit`),
    resetItems: db.prepare(`DELETE FROM sandbox_items WHERE account_id IN (SELECT id FROM sandbox_accounts WHERE api_key = ?)`),
    resetAccounts: db.prepare(`DELETE FROM sandbox_accounts WHERE api_key = ?`),
    resetTokens: db.prepare(`DELETE FROM sandbox_link_tokens WHERE api_key = ?`),
    insertToken: db.prepare(`INSERT OR REPLACE INTO sandbox_link_tokens (id, api_key, end_user_id, created_at, body) VALUES (?, ?, ?, ?, ?)`),
    token: db.prepare(`SELECT body FROM sandbox_link_tokens WHERE api_key = ? AND id = ?`).pluck(),
  };

  // A seed, end user and platform name an account: connecting them again replaces it, as one coherent story.
  const save = db.transaction((data: SandboxAccount) => {
    const { account } = data;
    statements.removeItems.run(account.id);
    statements.removeAccount.run(account.id);
    const stored: StoredAccount = {
      account,
      jobs: data.jobs,
      failedJobs: data.failedJobs,
      employment: data.employment,
      income: data.income,
      identity: data.identity,
    };
    statements.insertAccount.run(account.id, apiKey, account.end_user_id, account.created_at, JSON.stringify(stored));
    for (const paystub of data.paystubs) statements.insertItem.run(account.id, "paystubs", paystub.id, paystub.pay_date, JSON.stringify(paystub));
    for (const shift of data.shifts) statements.insertItem.run(account.id, "shifts", shift.id, shift.start_date, JSON.stringify(shift));
  });

  const reset = db.transaction(() => {
    statements.resetItems.run(apiKey);
    const accounts = statements.resetAccounts.run(apiKey).changes;
    const linkTokens = statements.resetTokens.run(apiKey).changes;
    return { accounts, linkTokens };
  });

  return {
    save(data: SandboxAccount): void {
      save.immediate(data);
    },
    account(id: string): StoredAccount | undefined {
      const body = statements.account.get(apiKey, id) as string | undefined;
      return body === undefined ? undefined : (JSON.parse(body) as StoredAccount);
    },
    updateAccount(stored: StoredAccount): void {
      statements.updateAccount.run(JSON.stringify(stored), apiKey, stored.account.id);
    },
    /** Up to `limit` accounts of an end user created after `afterSeq`, and whether more follow. */
    accountsOf(endUserId: string, afterSeq: number, limit: number): { rows: { seq: number; account: Account }[]; more: boolean } {
      const rows = (statements.ofEndUser.all(apiKey, endUserId, afterSeq, limit + 1) as { seq: number; body: string }[]).map((row) => ({
        seq: row.seq,
        account: (JSON.parse(row.body) as StoredAccount).account,
      }));
      return { rows: rows.slice(0, limit), more: rows.length > limit };
    },
    list(): AccountSummary[] {
      return (statements.all.all(apiKey) as { body: string; paystubs: number; shifts: number }[]).map((row) => {
        const stored = JSON.parse(row.body) as StoredAccount;
        return { account: stored.account, jobs: stored.jobs, failedJobs: stored.failedJobs, paystubs: row.paystubs, shifts: row.shifts };
      });
    },
    /** A page of paystubs or shifts, newest first, and whether more follow. */
    items<T extends Paystub | Shift>(kind: ItemKind, accountId: string, query: ItemQuery): { items: T[]; last: ItemPosition | undefined; more: boolean } {
      const rows = statements.items.all({
        accountId,
        kind,
        from: query.from ?? "0000-00-00",
        to: query.to ?? "9999-99-99",
        afterDate: query.after?.date ?? null,
        afterId: query.after?.id ?? null,
        limit: query.limit + 1,
      }) as { date: string; id: string; body: string }[];
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return { items: page.map((row) => JSON.parse(row.body) as T), last: last && { date: last.date, id: last.id }, more: rows.length > query.limit };
    },
    saveLinkToken(record: LinkTokenRecord, createdAt: string): void {
      statements.insertToken.run(record.linkToken.id, apiKey, record.endUserId, createdAt, JSON.stringify(record));
    },
    linkToken(id: string): LinkTokenRecord | undefined {
      const body = statements.token.get(apiKey, id) as string | undefined;
      return body === undefined ? undefined : (JSON.parse(body) as LinkTokenRecord);
    },
    /** Forgets every account, item and Link token of this API key. */
    reset(): { accounts: number; linkTokens: number } {
      return reset.immediate();
    },
  };
}

export type SandboxStore = ReturnType<typeof sandboxStore>;
