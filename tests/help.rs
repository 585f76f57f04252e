//! The help a newcomer reads: `kqlint --help` and every subcommand's help
//! say what it does and, for the everyday commands, show examples.

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kqlint"))
        .args(args)
        .output()
        .expect("run kqlint");
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The subcommands `kqlint --help` lists (without clap's own `help`).
fn subcommands(main_help: &str) -> Vec<String> {
    main_help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands section")
        .lines()
        .take_while(|l| l.starts_with("  "))
        // A long description wraps onto lines indented further.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn main_help_has_examples_and_exit_status() {
    let main = help(&["--help"]);
    assert!(main.contains("Examples:\n  kqlint check"), "{main}");
    assert!(main.contains("Exit status: 0"), "{main}");
    // clap wraps what it writes; the examples are ours and fit 80 columns.
    let examples = main.split("Examples:\n").nth(1).unwrap();
    for line in examples.lines() {
        assert!(
            line.chars().count() <= 80,
            "longer than 80 columns: {line:?}"
        );
    }
}

#[test]
fn every_subcommand_has_a_description_and_more() {
    let main = help(&["--help"]);
    let commands = subcommands(&main);
    for needed in ["check", "rules", "explain"] {
        assert!(
            commands.iter().any(|c| c == needed),
            "{needed} in {commands:?}"
        );
    }
    for command in &commands {
        let text = help(&[command, "--help"]);
        let mut parts = text.splitn(2, "\n\n");
        let about = parts.next().unwrap();
        assert!(!about.trim().is_empty(), "`{command}` has no description");
        // Text after the options: examples or how the command is used.
        let after_options = text.rsplit("Print version\n").next().unwrap();
        assert!(
            after_options.trim().len() > 20,
            "`kqlint {command} --help` ends with the options: add after_help"
        );
    }
    for command in ["check", "rules", "explain"] {
        let text = help(&[command, "--help"]);
        assert!(
            text.contains(&format!("Examples:\n  kqlint {command}")),
            "`kqlint {command} --help` has no examples:\n{text}"
        );
    }
}

#[test]
fn check_help_documents_every_format_and_the_exit_status() {
    let text = help(&["check", "--help"]);
    for format in ["human", "concise", "json", "sarif", "github", "junit"] {
        assert!(text.contains(&format!("- {format}:")), "{format}:\n{text}");
        if format != "human" {
            assert!(
                text.contains(&format!("-f {format}")),
                "no example of {format}"
            );
        }
    }
    assert!(text.contains("--skip-non-rules"), "{text}");
    assert!(text.contains("Exit status: 0"), "{text}");
}
