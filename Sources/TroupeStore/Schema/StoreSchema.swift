internal import GRDB

/// The store's schema: the marker that says "this file is a Troupe store" and the
/// migrations that build its tables.
///
/// Tables change only through new migrations appended here, never by editing an
/// applied one: a store remembers which migrations it has, and a store that has
/// one this build does not know was written by a newer troupe.
enum StoreSchema {
    /// `PRAGMA application_id` of every Troupe store: "TRUP" in ASCII.
    static let applicationID: Int32 = 0x5452_5550

    /// The identifiers of the migrations, oldest first.
    static var migrationIdentifiers: [String] { migrator.migrations }

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-journal") { db in
            try db.execute(sql: v1)
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        }
        migrator.registerMigration("v2-memory") { db in
            try db.execute(sql: v2Memory)
        }
        return migrator
    }()

    /// Runs, steps, effects, messages, spans and span links.
    ///
    /// The per-run tables are `WITHOUT ROWID`, clustered on (run, key): a hot-path
    /// commit then dirties one b-tree page per table instead of a table page and
    /// an index page, which halves what each commit writes to the WAL. `ord` is
    /// the order in which a row was first written (an upsert keeps it), so
    /// `ORDER BY ord` lists effects in the order they were first started and
    /// messages in the order they were delivered. JSON values are TEXT; times are
    /// seconds since 1970. No foreign keys: the journal must accept entries in the
    /// order the runtime sends them, and one bad row must not fail the commits
    /// batched with it.
    private static let v1 = """
        CREATE TABLE runs (
            id TEXT NOT NULL PRIMARY KEY,
            workflow TEXT NOT NULL,
            input TEXT NOT NULL,
            status TEXT NOT NULL,
            output TEXT,
            error TEXT,
            parent_run_id TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            options TEXT NOT NULL DEFAULT '{}'
        ) STRICT;
        CREATE INDEX runs_by_created_at ON runs(created_at);
        CREATE INDEX runs_by_parent ON runs(parent_run_id) WHERE parent_run_id IS NOT NULL;

        CREATE TABLE steps (
            run_id TEXT NOT NULL,
            key TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at REAL NOT NULL,
            finished_at REAL,
            output TEXT,
            ord INTEGER NOT NULL,
            PRIMARY KEY (run_id, key)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE effects (
            run_id TEXT NOT NULL,
            key TEXT NOT NULL,
            step_key TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            request TEXT NOT NULL,
            result TEXT,
            error TEXT,
            status TEXT NOT NULL,
            executions INTEGER NOT NULL,
            started_at REAL NOT NULL,
            finished_at REAL,
            ord INTEGER NOT NULL,
            PRIMARY KEY (run_id, key)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE messages (
            run_id TEXT NOT NULL,
            id TEXT NOT NULL,
            step_key TEXT NOT NULL,
            sender TEXT NOT NULL,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            span_id TEXT,
            created_at REAL NOT NULL,
            ord INTEGER NOT NULL,
            PRIMARY KEY (run_id, id)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE spans (
            run_id TEXT NOT NULL,
            span_id TEXT NOT NULL,
            parent_id TEXT,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            start_time REAL NOT NULL,
            end_time REAL,
            status TEXT NOT NULL,
            status_message TEXT,
            attributes TEXT NOT NULL DEFAULT '{}',
            ord INTEGER NOT NULL,
            PRIMARY KEY (run_id, span_id)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE span_links (
            run_id TEXT NOT NULL,
            span_id TEXT NOT NULL,
            linked_span_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            ord INTEGER NOT NULL,
            PRIMARY KEY (run_id, span_id, linked_span_id, kind)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX span_links_by_linked ON span_links(run_id, linked_span_id);
        """

    /// Long-term memory: texts in namespaces, and an FTS5 index over them kept
    /// in step by triggers (an external-content table, so the text is stored once).
    ///
    /// `seq` is the rowid the index points at; declaring it `INTEGER PRIMARY KEY`
    /// keeps it stable across `VACUUM`. The Porter stemmer lets "refunds" find
    /// "refund".
    private static let v2Memory = """
        CREATE TABLE memory (
            seq INTEGER PRIMARY KEY,
            namespace TEXT NOT NULL,
            id TEXT NOT NULL,
            text TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL,
            UNIQUE (namespace, id)
        ) STRICT;

        CREATE VIRTUAL TABLE memory_fts USING fts5(
            text, content = 'memory', content_rowid = 'seq', tokenize = 'porter unicode61');

        CREATE TRIGGER memory_after_insert AFTER INSERT ON memory BEGIN
            INSERT INTO memory_fts(rowid, text) VALUES (new.seq, new.text);
        END;
        CREATE TRIGGER memory_after_delete AFTER DELETE ON memory BEGIN
            INSERT INTO memory_fts(memory_fts, rowid, text) VALUES ('delete', old.seq, old.text);
        END;
        CREATE TRIGGER memory_after_update AFTER UPDATE ON memory BEGIN
            INSERT INTO memory_fts(memory_fts, rowid, text) VALUES ('delete', old.seq, old.text);
            INSERT INTO memory_fts(rowid, text) VALUES (new.seq, new.text);
        END;
        """
}
