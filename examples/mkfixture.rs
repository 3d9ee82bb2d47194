//! Writes ESE fixtures to disk with the `testkit` fixture writer: a database of N pages, a
//! directory of N consecutive logs (plus checkpoint), or a checkpoint. Databases are streamed
//! page by page through a `BufWriter`, so a 4 GiB file needs a few MiB of memory.
//!
//! ```text
//! cargo run --release --features testkit --example mkfixture -- db big.edb --page-size 8192 --pages 524288
//! cargo run --release --features testkit --example mkfixture -- logs logdir --count 5000 --base E00
//! cargo run --release --features testkit --example mkfixture -- checkpoint E00.chk --generation 5000
//! cargo run --release --features testkit --example mkfixture -- flushmap E00.jfm --pages 1024 --sparse-mib 16384
//! ```

use clap::{Parser, Subcommand};
use esecheck::testkit::{lgpos, CheckpointBuilder, DbBuilder, FlushMapBuilder, LogBuilder, LogStreamBuilder};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Write valid ESE fixtures (database, log stream, checkpoint)")]
struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// A database: header, shadow header, then PAGES logical pages.
    Db {
        /// Output file.
        path: PathBuf,
        /// Page size: 2048, 4096, 8192, 16384 or 32768.
        #[arg(long, default_value_t = 8192)]
        page_size: usize,
        /// Number of logical pages (after the two header copies).
        #[arg(long, conflicts_with = "size_mib")]
        pages: Option<u32>,
        /// Alternatively, the approximate file size in MiB.
        #[arg(long)]
        size_mib: Option<u64>,
        /// Database state (1 JustCreated, 2 DirtyShutdown, 3 CleanShutdown).
        #[arg(long, default_value_t = 3)]
        state: u32,
        /// Log Required as MIN,MAX generations.
        #[arg(long, value_parser = parse_range)]
        log_required: Option<(i32, i32)>,
        /// Log Committed generation.
        #[arg(long)]
        log_committed: Option<i32>,
        /// User tables (at most 8) sharing the pages after the system pages in interleaved
        /// extents, instead of the one table filling the file.
        #[arg(long, default_value_t = 1)]
        tables: u32,
        /// Pages per extent with several tables (default: about 100 extents per table, at
        /// least 16 pages).
        #[arg(long)]
        extent_pages: Option<u32>,
    },
    /// A log directory: COUNT generations `<base>XXXXX.log`, the last one as `<base>.log`, and a
    /// checkpoint `<base>.chk` at the first generation.
    Logs {
        /// Output directory (created if missing).
        dir: PathBuf,
        /// Number of generations.
        #[arg(long, default_value_t = 10)]
        count: u32,
        /// First generation.
        #[arg(long, default_value_t = 1)]
        first: i32,
        /// Three-character base name.
        #[arg(long, default_value = "edb")]
        base: String,
        /// Segments per file (file size = csec * 4096).
        #[arg(long, default_value_t = 16)]
        csec: u16,
        /// Data segments written with records per file (at most csec - 2).
        #[arg(long, default_value_t = 4)]
        segments: u16,
        /// Do not write the checkpoint.
        #[arg(long)]
        no_checkpoint: bool,
    },
    /// A flush map: the header page and PAGES sealed data pages, optionally extended with a hole
    /// to SPARSE_MIB MiB (a sparse file: the data pages are written, the rest is never stored).
    Flushmap {
        /// Output file.
        path: PathBuf,
        /// Number of data pages (8 KiB each), built in memory.
        #[arg(long, default_value_t = 1)]
        pages: usize,
        /// Extend the file to this many MiB with a hole.
        #[arg(long)]
        sparse_mib: Option<u64>,
    },
    /// A checkpoint file.
    Checkpoint {
        /// Output file.
        path: PathBuf,
        /// Checkpoint generation.
        #[arg(long, default_value_t = 1)]
        generation: i32,
    },
}

/// Parses `MIN,MAX`.
fn parse_range(s: &str) -> Result<(i32, i32), String> {
    let (a, b) = s.split_once(',').ok_or("expected MIN,MAX")?;
    let num = |x: &str| x.trim().parse::<i32>().map_err(|e| format!("{x}: {e}"));
    Ok((num(a)?, num(b)?))
}

fn run(args: Args) -> std::io::Result<()> {
    match args.what {
        What::Db {
            path,
            page_size,
            pages,
            size_mib,
            state,
            log_required,
            log_committed,
            tables,
            extent_pages,
        } => {
            let pages = match (pages, size_mib) {
                (Some(p), _) => p,
                (None, Some(mib)) => {
                    let total = (mib << 20) / page_size as u64;
                    u32::try_from(total.saturating_sub(2)).unwrap_or(u32::MAX)
                }
                (None, None) => 16,
            };
            let mut b = DbBuilder::new(page_size).pages(pages).state(state);
            if let Some(r) = log_required {
                b = b.log_required(r.0, r.1);
            }
            if let Some(c) = log_committed {
                b = b.log_committed(c);
            }
            if tables > 1 || extent_pages.is_some() {
                let per_table = pages.saturating_sub(30) / tables.max(1);
                let extent = extent_pages.unwrap_or((per_table / 100).max(16));
                b = b.tables(tables, extent);
            }
            b.write_file(&path)?;
            println!("{}: {} bytes", path.display(), b.file_len());
            for t in b.table_specs() {
                println!(
                    "table {} objid {} root {}: {} pages in {} extents, {} leaves, {} internal, {} records",
                    t.name,
                    t.objid,
                    t.pgno_fdp,
                    t.pages_owned,
                    t.extents.len(),
                    t.leaves,
                    t.internal_pages,
                    t.records
                );
            }
        }
        What::Logs {
            dir,
            count,
            first,
            base,
            csec,
            segments,
            no_checkpoint,
        } => {
            std::fs::create_dir_all(&dir)?;
            let paths = LogStreamBuilder::new(&base, first, count)
                .template(move |g| LogBuilder::new(g).csec_lg_file(csec).data_segments(segments))
                .write_to(&dir)?;
            if !no_checkpoint {
                CheckpointBuilder::new()
                    .lgpos_checkpoint(lgpos(first, 1, 0))
                    .write_file(&dir.join(format!("{base}.chk")))?;
            }
            println!("{}: {} logs", dir.display(), paths.len());
        }
        What::Flushmap {
            path,
            pages,
            sparse_mib,
        } => {
            FlushMapBuilder::new().data_pages(pages).write_file(&path)?;
            if let Some(mib) = sparse_mib {
                let f = std::fs::OpenOptions::new().write(true).open(&path)?;
                let len = f.metadata()?.len().max(mib << 20);
                f.set_len(len)?;
            }
            println!("{}: {} bytes", path.display(), std::fs::metadata(&path)?.len());
        }
        What::Checkpoint { path, generation } => {
            CheckpointBuilder::new()
                .lgpos_checkpoint(lgpos(generation, 1, 0))
                .write_file(&path)?;
            println!("{}: 8192 bytes", path.display());
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mkfixture: {e}");
            ExitCode::FAILURE
        }
    }
}
