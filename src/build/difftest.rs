#[test]
fn difftest() {
    use std::io::Write;
    let Ok(cases) = std::fs::read_to_string("/tmp/pmcheck/cases.jsonl") else { return };
    let mut out = std::fs::File::create("/tmp/pmcheck/actual.txt").unwrap();
    for line in cases.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let ignore = v["ignore"].as_str().unwrap();
        let path = v["path"].as_str().unwrap();
        let res = match crate::build::IgnoreRules::parse(ignore.as_bytes()) {
            Err(_) => "ERR".to_string(),
            Ok(r) => {
                let mut parent: Option<crate::build::WalkMatch> = None;
                let mut prefix = String::new();
                for seg in path.split('/') {
                    if !prefix.is_empty() { prefix.push('/'); }
                    prefix.push_str(seg);
                    parent = Some(r.walk_match(&prefix, parent.as_ref()));
                }
                format!("{} {} {}", r.is_excluded(path), parent.unwrap().excluded(), r.reinclusion_under(path))
            }
        };
        writeln!(out, "{res}").unwrap();
    }
}
