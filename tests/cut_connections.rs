//! Connections cut in the middle of every streaming operation: a loopback proxy in front of
//! the test engine's TCP port cuts the connection once a random number of bytes has passed,
//! toward the daemon or toward the client, with a FIN or an RST.
//!
//! Whenever the cut took bytes away, the call must fail (DC_TRANSPORT: never DC_OK with a
//! truncated result, never a hang — no call here has a time limit to hide one); when the cut
//! came after the last byte, the result must be whole. A cut that takes only the answer's
//! chunked terminator (its last 5 bytes) leaves the daemon's whole answer with the client:
//! there an OK is allowed if its result is whole. The offsets are random; the seed is
//! printed, and `DC_TEST_SEED` replays a run.

mod common;

use std::io::Cursor;

use common::cutting_proxy::{Cut, CuttingProxy, Direction, Plan};
use common::engine::{engine, unique};
use common::scratch::Scratch;
use dockerclient::images::build::{build, BuildOptions};
use dockerclient::images::import::{import, ImportOptions};
use dockerclient::images::load::{load, LoadOptions};
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::push::{push, PushOptions};
use dockerclient::images::save::{save, SaveOptions};
use dockerclient::{Client, ClientOptions, Error, Io, Status};
use serde_json::{json, Value};

/// Random offsets tried per operation, direction and kind of cut (with two at the very end).
const OFFSETS: usize = 3;

fn opts<T: serde::de::DeserializeOwned + Default>(v: Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).unwrap()
}

/// xorshift64*: reproducible offsets from a printed seed.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

struct Fixture {
    ctx: Scratch,
    image: String,
    in_registry: String,
    archive: Vec<u8>,
}

/// Runs one operation through `c`; Ok carries a check that the result is whole.
fn run(c: &Client, f: &Fixture, op: &str) -> Result<(), Error> {
    let e = engine();
    match op {
        "save" => {
            let mut got = Vec::new();
            save(c, &opts::<SaveOptions>(json!({"names": [f.image]})), Io::output(&mut |b| {
                got.extend_from_slice(b);
                true
            }))?;
            assert_eq!(got.len(), f.archive.len(), "save returned OK with {} of {} bytes", got.len(), f.archive.len());
            Ok(())
        }
        "load" => {
            let r = load(c, &LoadOptions::default(), Io::input(&mut Cursor::new(&f.archive)))?;
            assert!(!r.images.is_empty(), "load returned OK without an image: {r:?}");
            Ok(())
        }
        "import" => {
            let r = import(c, &ImportOptions::default(), Io::input(&mut Cursor::new(&f.archive)))?;
            assert!(r.id.starts_with("sha256:"), "import returned OK without an ID: {r:?}");
            let _ = e.docker(&["rmi", &r.id]);
            Ok(())
        }
        "pull" => {
            let _ = e.docker(&["rmi", &f.in_registry]);
            let r = pull(c, &PullOptions::new(&f.in_registry), Io::none())?;
            assert!(r.id.as_deref().is_some_and(|id| id.starts_with("sha256:")), "pull returned OK without the image: {r:?}");
            Ok(())
        }
        "push" => {
            let r = push(c, &f.in_registry, &PushOptions::default(), Io::none())?;
            let digest = r.last().and_then(|t| t.digest.as_str()).unwrap_or("");
            assert!(digest.starts_with("sha256:"), "push returned OK without a digest: {r:?}");
            Ok(())
        }
        "build (classic)" | "build (BuildKit)" => {
            let version = if op.contains("classic") { "1" } else { "2" };
            // The upload (no session): this family cuts the build's own connection; a session
            // that cannot open falls back to the upload, which would hide a cut of it.
            let r = build(c, &opts::<BuildOptions>(json!({"context_dir": f.ctx.s(), "version": version, "network_mode": "none", "session": false})), Io::none())?;
            assert!(r.id.starts_with("sha256:"), "build returned OK without an image: {r:?}");
            Ok(())
        }
        other => panic!("no operation {other}"),
    }
}

const OPERATIONS: [&str; 7] = ["save", "load", "import", "pull", "push", "build (classic)", "build (BuildKit)"];

#[test]
fn every_streaming_operation_cut_at_random_offsets() {
    let e = engine();
    let proxy = CuttingProxy::start(e.tcp().trim_start_matches("tcp://"));
    let c = Client::new(&ClientOptions { host: Some(proxy.host.clone()), api_version: Some("1.41".into()), ..Default::default() })
        .unwrap()
        .with_docker_config(Default::default());
    let direct = e.client();
    let ctx = Scratch::new("dc-cut");
    ctx.file("Dockerfile", format!("FROM {}\nRUN echo cut > /cut.txt\n", e.base_image()));
    let image = e.base_image();
    let in_registry = format!("{}/{}", e.registry(), unique("cut"));
    assert!(e.docker(&["tag", &image, &in_registry]).status.success());
    push(&direct, &in_registry, &PushOptions::default(), Io::none()).unwrap();
    let mut archive = Vec::new();
    save(&direct, &opts::<SaveOptions>(json!({"names": [image]})), Io::output(&mut |b| {
        archive.extend_from_slice(b);
        true
    }))
    .unwrap();
    let f = Fixture { ctx, image, in_registry, archive };

    let seed = std::env::var("DC_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("cut connections: seed {seed} (DC_TEST_SEED={seed} replays this run)");
    let mut rng = Rng(seed);
    let (mut cases, mut cut, mut terminator, mut whole) = (0, 0, 0, 0);
    for op in OPERATIONS {
        // Uncut first: how many bytes the operation's connections carry.
        proxy.arm(None);
        run(&c, &f, op).unwrap_or_else(|err| panic!("{op} through the proxy, uncut: {err:?}"));
        let most = proxy.most();
        for direction in [Direction::Up, Direction::Down] {
            for how in [Cut::Fin, Cut::Rst] {
                // Random offsets, and the last bytes (a chunked answer's terminator is 5).
                let total = most[direction as usize];
                let mut offsets: Vec<u64> = (0..OFFSETS).map(|_| rng.below(total + 1)).collect();
                offsets.extend([total.saturating_sub(5), total.saturating_sub(1)]);
                for offset in offsets {
                    let plan = Plan { direction, offset, cut: how };
                    proxy.arm(Some(plan));
                    let r = run(&c, &f, op);
                    cases += 1;
                    // Only the answer's chunked terminator lost: everything the daemon said
                    // arrived, so either outcome is honest, as long as an OK is whole.
                    let only_terminator = direction == Direction::Down && offset + 5 >= total;
                    if proxy.was_cut() && only_terminator {
                        terminator += 1;
                        if let Err(err) = &r {
                            assert_eq!(err.status, Status::Transport, "{op}, {plan:?}: {err:?}");
                        }
                    } else if proxy.was_cut() {
                        cut += 1;
                        let err = r.expect_err(&format!("{op}: DC_OK although the connection was cut ({plan:?})"));
                        assert_eq!(err.status, Status::Transport, "{op}, {plan:?}: {err:?}");
                    } else {
                        whole += 1;
                        r.unwrap_or_else(|err| panic!("{op}: failed although nothing was cut ({plan:?}): {err:?}"));
                    }
                }
            }
        }
        // The client goes on after all that.
        proxy.arm(None);
        dockerclient::system::ping(&c).unwrap();
    }
    eprintln!(
        "cut connections: {cases} cases, {cut} cut mid-stream (all DC_TRANSPORT), {terminator} only in the answer's \
         last 5 bytes (OK and whole, or DC_TRANSPORT), {whole} after the end (all whole)"
    );
    let _ = e.docker(&["rmi", &f.in_registry]);
}
