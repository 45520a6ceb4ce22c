//! Token-creation body parsing (`POST /token`, JSON and XML) must take time linear in the
//! body's size, whatever the body holds.
//!
//! Run: `cargo bench -p auth-benches --bench parsers` (about a minute on two cores). Each
//! case is measured at growing sizes up to [`MAX_BODY_BYTES`], with criterion's
//! throughput set to the body's bytes; at the end the bench prints each case's mean time
//! per byte at every size. Linear parsing shows as a flat ns/byte column; a quadratic
//! step shows as ns/byte growing with the size (the attribute-heavy body once took
//! ~330 ms at 64 KiB, about 5,000 ns/byte).
//!
//! The cases are the worst shapes for the readers: many empty attributes (refused at
//! the first one), many distinct unknown elements (the duplicate-child check), many
//! `<ip>` entries, many comments, a long unknown text full of CR LF (line-end
//! normalisation), and for JSON many distinct unknown keys (the duplicate-key check) and
//! many `allowed_ips` entries.

use std::hint::black_box;
use std::time::{Duration, Instant};

use auth_core::{CreateTokenRequest, Format, MAX_BODY_BYTES};
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args()
}

/// Body sizes measured: 1 KiB to just under the limit.
const SIZES: [usize; 4] = [1024, 4 * 1024, 16 * 1024, MAX_BODY_BYTES - 256];

/// One body shape: a head, a part repeated (with its index) until the body is about
/// `size` bytes, a tail; and whether such a body is accepted.
struct Case {
    name: &'static str,
    format: Format,
    head: &'static str,
    part: fn(usize) -> String,
    tail: &'static str,
    accepted: bool,
}

impl Case {
    fn body(&self, size: usize) -> Vec<u8> {
        let mut s = String::from(self.head);
        let mut i = 0;
        loop {
            let p = (self.part)(i);
            if s.len() + p.len() + self.tail.len() > size {
                break;
            }
            s.push_str(&p);
            i += 1;
        }
        s.push_str(self.tail);
        s.into_bytes()
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "xml_attributes",
            format: Format::Xml,
            head: "<token",
            part: |i| format!(" a{i}=\"\""),
            tail: "><name>n</name></token>",
            accepted: false,
        },
        Case {
            name: "xml_unknown_elements",
            format: Format::Xml,
            head: "<token><name>n</name>",
            part: |i| format!("<e{i}/>"),
            tail: "</token>",
            accepted: true,
        },
        Case {
            name: "xml_ips",
            format: Format::Xml,
            head: "<token><name>n</name><allowed_ips>",
            part: |i| format!("<ip>10.{}.{}.1</ip>", (i >> 8) & 255, i & 255),
            tail: "</allowed_ips></token>",
            accepted: true,
        },
        Case {
            name: "xml_comments",
            format: Format::Xml,
            head: "<token><name>n</name>",
            part: |_| "<!-- c -->".to_owned(),
            tail: "</token>",
            accepted: true,
        },
        Case {
            name: "xml_crlf_text",
            format: Format::Xml,
            head: "<token><name>n</name><x>",
            part: |_| "ab\r\n".to_owned(),
            tail: "</x></token>",
            accepted: true,
        },
        Case {
            name: "json_unknown_keys",
            format: Format::Json,
            head: "{\"token\": {\"name\": \"n\"",
            part: |i| format!(", \"k{i}\": 0"),
            tail: "}}",
            accepted: true,
        },
        Case {
            name: "json_ips",
            format: Format::Json,
            head: "{\"token\": {\"name\": \"n\", \"allowed_ips\": [\"10.0.0.0/8\"",
            part: |i| format!(", \"10.{}.{}.1\"", (i >> 8) & 255, i & 255),
            tail: "]}}",
            accepted: true,
        },
    ]
}

fn bench_bodies(c: &mut Criterion) {
    for case in cases() {
        let mut g = c.benchmark_group(format!("body/{}", case.name));
        for size in SIZES {
            let body = case.body(size);
            assert!(body.len() <= MAX_BODY_BYTES);
            let r = CreateTokenRequest::parse(&body, case.format);
            assert_eq!(r.is_ok(), case.accepted, "{}: {:?}", case.name, r.err());
            g.throughput(Throughput::Bytes(body.len() as u64));
            g.bench_with_input(BenchmarkId::from_parameter(body.len()), &body, |b, body| {
                b.iter(|| CreateTokenRequest::parse(black_box(body), case.format))
            });
        }
        g.finish();
    }
}

/// A plain ns/byte table of this run (criterion's own report gives bytes per second):
/// each body parsed for about 0.2 s, the mean taken.
fn report() {
    println!("\nns per byte (mean over ~0.2 s per body):");
    print!("{:<22}", "case");
    for size in SIZES {
        print!("{:>12}", format!("{} B", size));
    }
    println!();
    for case in cases() {
        print!("{:<22}", case.name);
        for size in SIZES {
            let body = case.body(size);
            let start = Instant::now();
            let mut runs = 0u32;
            while start.elapsed() < Duration::from_millis(200) {
                black_box(CreateTokenRequest::parse(black_box(&body), case.format)).ok();
                runs += 1;
            }
            let ns = start.elapsed().as_nanos() as f64 / f64::from(runs);
            print!("{:>12.2}", ns / body.len() as f64);
        }
        println!();
    }
}

criterion_group! {
    name = parsers;
    config = config();
    targets = bench_bodies
}

fn main() {
    parsers();
    Criterion::default().configure_from_args().final_summary();
    if !std::env::args().any(|a| a == "--list") {
        report();
    }
}
