//! The real `binhyen` binary: `user …`, `audit verify` (and its tamper report), `backup`,
//! on SQLite and PostgreSQL.

use std::io::Write;
use std::process::{Command, Stdio};

use binhyen_store::testing::{self, TestDb, execute_raw, sqlite_contents};
use binhyen_store::{DatabaseUrl, Store};

/// Runs `binhyen --database-url URL ARGS…` with `stdin`; (success, stdout, stderr).
fn run(db: &TestDb, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_binhyen"))
        .arg("--database-url")
        .arg(db.url.expose())
        .args(args)
        .env_remove("BINHYEN_LANG")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn binhyen");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(db: &TestDb, args: &[&str], stdin: Option<&str>) -> String {
    let (success, out, err) = run(db, args, stdin);
    assert!(success, "binhyen {args:?} failed:\n{out}\n{err}");
    out
}

/// `binhyen user add quan.tri --name "Nguyễn Văn An" --role admin --unit VN`.
fn add_admin(db: &TestDb) -> String {
    ok(
        db,
        &[
            "user",
            "add",
            "quan.tri",
            "--name",
            "Nguyễn Văn An",
            "--role",
            "admin",
            "--unit",
            "VN",
        ],
        None,
    )
}

async fn users_and_audit(db: TestDb) {
    let out = add_admin(&db);
    assert!(out.contains("Đã tạo người dùng «quan.tri»."), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("Mật khẩu (chỉ in một lần"))
        .expect("generated password printed");
    assert_eq!(line.rsplit(": ").next().unwrap().chars().count(), 16);

    let out = ok(
        &db,
        &[
            "user",
            "add",
            "v05",
            "--name",
            "Trần Thị Bình",
            "--role",
            "viewer",
            "--unit",
            "vn",
            "--password-stdin",
        ],
        Some("mật khẩu đủ dài\n"),
    );
    assert!(
        !out.contains("Mật khẩu"),
        "no password printed when given: {out}"
    );

    let (success, _, err) = run(
        &db,
        &[
            "user",
            "add",
            "ca.xa",
            "--name",
            "Lê C",
            "--role",
            "commune_police",
            "--unit",
            "29001",
        ],
        None,
    );
    assert!(!success);
    assert!(
        err.contains("Mã đơn vị: không có đơn vị mã «29001»"),
        "{err}"
    );
    let (success, _, err) = run(
        &db,
        &[
            "user",
            "add",
            "Người Dùng",
            "--name",
            "X",
            "--role",
            "viewer",
            "--unit",
            "VN",
        ],
        None,
    );
    assert!(!success);
    assert!(
        err.contains("Tên đăng nhập: «Người Dùng» chỉ được gồm chữ không dấu"),
        "{err}"
    );
    let (success, _, err) = run(
        &db,
        &[
            "user",
            "add",
            "ngan",
            "--name",
            "X",
            "--role",
            "viewer",
            "--unit",
            "VN",
            "--password-stdin",
        ],
        Some("ngắn\n"),
    );
    assert!(!success);
    assert!(err.contains("mật khẩu phải có ít nhất 10 ký tự"), "{err}");

    ok(
        &db,
        &["user", "grant", "v05", "--role", "admin", "--unit", "VN"],
        None,
    );
    let list = ok(&db, &["user", "list"], None);
    assert!(
        list.contains("quan.tri\tNguyễn Văn An\tĐang hoạt động\tQuản trị viên — Toàn quốc (VN)"),
        "{list}"
    );
    assert!(list.contains("v05\tTrần Thị Bình\tĐang hoạt động\tNgười xem — Toàn quốc (VN); Quản trị viên — Toàn quốc (VN)"), "{list}");
    assert!(list.contains("2 người dùng."));
    ok(
        &db,
        &["user", "ungrant", "v05", "--role", "admin", "--unit", "VN"],
        None,
    );
    let out = ok(&db, &["user", "revoke-sessions", "v05"], None);
    assert!(
        out.contains("Đã thu hồi 0 phiên đăng nhập của «v05»."),
        "{out}"
    );
    ok(&db, &["user", "deactivate", "v05"], None);
    let out = ok(&db, &["user", "passwd", "quan.tri"], None);
    assert!(out.contains("Mật khẩu (chỉ in một lần"));

    let out = ok(&db, &["audit", "verify"], None);
    assert!(
        out.starts_with("Nhật ký nguyên vẹn: 7 mục đã kiểm tra. Mục cuối số 7"),
        "{out}"
    );
    let en = ok(&db, &["--lang", "en", "audit", "verify"], None);
    assert!(
        en.starts_with("The audit is intact: 7 entries checked."),
        "{en}"
    );

    // Tamper: edit entry 2 → exit code 1 and a report naming it.
    execute_raw(
        &db.store,
        "UPDATE audit_entry SET actor = 'ai đó' WHERE seq = 2",
    )
    .await
    .unwrap();
    let (success, _, err) = run(&db, &["audit", "verify"], None);
    assert!(!success);
    assert!(
        err.contains("NHẬT KÝ ĐÃ BỊ CAN THIỆP: mục số 2 đã bị sửa (nội dung không còn khớp mã băm). (1 mục đầu tiên còn nguyên vẹn.)"),
        "{err}"
    );
}

#[tokio::test]
async fn users_and_audit_on_sqlite() {
    users_and_audit(testing::sqlite().await).await;
}

#[tokio::test]
async fn users_and_audit_on_postgres() {
    if let Some(db) = testing::postgres().await {
        users_and_audit(db).await;
    }
}

#[tokio::test]
async fn audit_verify_names_deleted_and_swapped_entries() {
    for (sql, expected) in [
        (
            vec!["DELETE FROM audit_entry WHERE seq = 2"],
            "mục số 2 đã bị xóa.",
        ),
        (
            vec![
                "UPDATE audit_entry SET seq = -1 WHERE seq = 2",
                "UPDATE audit_entry SET seq = 2 WHERE seq = 3",
                "UPDATE audit_entry SET seq = 3 WHERE seq = -1",
            ],
            "mục số 2 đã bị đổi chỗ: mục đứng trước nó nay nằm ở số 3.",
        ),
    ] {
        let db = testing::sqlite().await;
        for login in ["a.1", "a.2", "a.3"] {
            ok(
                &db,
                &[
                    "user", "add", login, "--name", "A", "--role", "viewer", "--unit", "VN",
                ],
                None,
            );
        }
        for s in sql {
            execute_raw(&db.store, s).await.unwrap();
        }
        let (success, _, err) = run(&db, &["audit", "verify"], None);
        assert!(!success);
        assert!(err.contains(expected), "{err}");
    }
}

#[tokio::test]
async fn sqlite_backup_restores_the_same_data() {
    let db = testing::sqlite().await;
    add_admin(&db);
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("sao lưu.sqlite");
    let before = sqlite_contents(&db.store).await.unwrap();
    let out = ok(&db, &["backup", "--out", out_file.to_str().unwrap()], None);
    assert!(out.contains("Đã sao lưu nhất quán vào"), "{out}");
    assert!(out.contains("Để khôi phục: dừng máy chủ Bình Yên"), "{out}");
    let (success, _, err) = run(&db, &["backup", "--out", out_file.to_str().unwrap()], None);
    assert!(!success);
    assert!(err.contains("đã có; chọn tên khác"), "{err}");

    let restored_path = dir.path().join("khoi-phuc.sqlite");
    std::fs::copy(&out_file, &restored_path).unwrap();
    let restored = Store::connect(&DatabaseUrl::sqlite_file(&restored_path))
        .await
        .unwrap();
    assert_eq!(sqlite_contents(&restored).await.unwrap(), before);
    assert!(before["auth_user"].iter().any(|r| r.contains("'quan.tri'")));
}

#[tokio::test]
async fn postgres_backup_prints_the_commands_and_keeps_the_password_out() {
    let Some(db) = testing::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("binhyen.dump");
    let out = ok(&db, &["backup", "--out", file.to_str().unwrap()], None);
    let plain = db.url.without_password();
    assert!(
        out.contains(&format!(
            "pg_dump --format=custom --no-owner --file='{}' --dbname='{plain}'",
            file.display()
        )),
        "{out}"
    );
    assert!(out.contains(&format!(
        "pg_restore --clean --if-exists --no-owner --single-transaction --dbname='{plain}' '{}'",
        file.display()
    )), "{out}");
    assert!(out.contains("lệnh này không tự chạy chúng"));
    if let Some((_, rest)) = db.url.expose().split_once("://")
        && let Some((auth, _)) = rest.split_once('@')
        && let Some((_, password)) = auth.split_once(':')
    {
        assert!(!out.contains(&format!(":{password}@")), "password leaked");
    }
    assert!(!file.exists(), "nothing pretended");
}
