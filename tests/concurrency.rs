//! One client, many threads: 16 threads × 1,000 mixed calls (ping, version, list, inspect, an
//! inspect that fails, tag and untag of a tag of the thread's own) must all give what they give
//! one at a time: no error where none is due, the right error where one is.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use common::engine::{engine, unique};
use dockerclient::images::inspect::{inspect, InspectOptions};
use dockerclient::images::list::{list, ListOptions};
use dockerclient::images::remove::{remove, RemoveOptions};
use dockerclient::images::tag::{tag, TagOptions};
use dockerclient::{system, Status};

const THREADS: usize = 16;
const CALLS: usize = 1000;

#[test]
fn sixteen_threads_a_thousand_mixed_calls_each() {
    let e = engine();
    let c = e.client();
    let base = e.base_image();
    let wrong = AtomicUsize::new(0);
    let t0 = Instant::now();
    thread::scope(|s| {
        for t in 0..THREADS {
            let (c, base, wrong) = (&c, &base, &wrong);
            s.spawn(move || {
                let repo = format!("dctest/{}", unique(&format!("conc{t}")));
                let fail = |what: &str, detail: String| {
                    if wrong.fetch_add(1, Ordering::Relaxed) < 10 {
                        eprintln!("thread {t}: {what}: {detail}");
                    }
                };
                for i in 0..CALLS {
                    match i % 7 {
                        0 => {
                            if let Err(e) = system::ping(c) {
                                fail("ping", format!("{e:?}"));
                            }
                        }
                        1 => match system::version(c) {
                            Ok(v) if v.contains("ApiVersion") => {}
                            other => fail("version", format!("{other:?}")),
                        },
                        2 => match list(c, &ListOptions::default()) {
                            Ok(v) if v.starts_with('[') => {}
                            other => fail("list", format!("{other:?}")),
                        },
                        3 => match inspect(c, base, &InspectOptions::default()) {
                            Ok(v) if v.contains("\"Id\"") => {}
                            other => fail("inspect", format!("{other:?}")),
                        },
                        4 => match inspect(c, &format!("{repo}-missing:{i}"), &InspectOptions::default()) {
                            Err(e) if e.status == Status::NotFound => {}
                            other => fail("failing inspect", format!("{other:?}")),
                        },
                        5 => {
                            let opts = TagOptions { repo: Some(repo.clone()), tag: Some(format!("t{i}")) };
                            if let Err(e) = tag(c, base, &opts) {
                                fail("tag", format!("{e:?}"));
                            }
                        }
                        _ => match remove(c, &format!("{repo}:t{}", i - 1), &RemoveOptions::default()) {
                            Ok(v) if v.contains("Untagged") => {}
                            other => fail("untag", format!("{other:?}")),
                        },
                    }
                }
            });
        }
    });
    let took = t0.elapsed();
    let calls = THREADS * CALLS;
    eprintln!(
        "{THREADS} threads x {CALLS} calls on one client: {calls} calls in {:.1} s ({:.0} calls/s), {} wrong",
        took.as_secs_f64(),
        calls as f64 / took.as_secs_f64(),
        wrong.load(Ordering::Relaxed)
    );
    assert_eq!(wrong.load(Ordering::Relaxed), 0);
}
