"""The screening on a Dask cluster (app/core/batch/dask.py): a real ``LocalCluster``
(a scheduler and 2 worker processes, each loading OpenFisca-France once), reached over
TLS with a self-signed certificate authority generated here for the loopback.

The expected values are the local path's: the same file screened in this process by
the session's engine (``screen(..., engine=engine)``, the same code as the local
worker pool, see test_batch.py), compared row by row, cell by cell.

One cluster for the module (each worker start costs ~5 s of CPU): the TLS test, the
equality test and the killed-worker test share it, the last one last (it kills a
worker, which its nanny restarts).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_batch import EXAMPLE, MONTH, TODAY, CancelAfter, _example_records, read_errors

from app.core.batch.screen import Progress, partial_dir_for, screen
from app.core.batch.chunks import ScreenError
from app.core.batch.input import TEMPLATE_COLUMNS

COPIES = 25  # exemple.csv's 12 rows (8 valid) x 25 = 300 rows, 200 households
CHUNK = 25


# --------------------------------------------------------------------------- fixtures


def make_certificates(folder: Path) -> dict[str, Path]:
    """A certificate authority, and one certificate it signs for 127.0.0.1/localhost,
    good for a TLS server and client (scheduler, workers and this client share it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    import ipaddress

    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Guichet test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return paths


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def cluster(certificates: dict[str, Path]) -> Iterator[Any]:
    from distributed import LocalCluster, Security

    ca, cert, key = (str(certificates[k]) for k in ("ca", "cert", "key"))
    security = Security(tls_ca_file=ca, tls_scheduler_cert=cert, tls_scheduler_key=key, tls_worker_cert=cert,
                        tls_worker_key=key, tls_client_cert=cert, tls_client_key=key, require_encryption=True)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tls", host="127.0.0.1",
                      security=security, dashboard_address=None, scheduler_kwargs={"dashboard": False},
                      silence_logs=logging.WARNING) as local:
        yield local


@pytest.fixture(scope="module")
def security(certificates: dict[str, Path]) -> Any:
    from app.core.batch.dask import cluster_security

    return cluster_security(certificates["ca"], certificates["cert"], certificates["key"])


@pytest.fixture(scope="module")
def households_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """exemple.csv 25 times, each copy's rents and salaries moved by a few euros (so that
    a row landing on another's line shows); its bad rows stay bad."""
    path = tmp_path_factory.mktemp("input") / "foyers.csv"
    rent, salary = TEMPLATE_COLUMNS.index("loyer"), TEMPLATE_COLUMNS.index("demandeur_salaire_net_mensuel")
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(TEMPLATE_COLUMNS)
        for copy in range(COPIES):
            for _line, record in _example_records():
                row = list(record)
                row[0] = f"{row[0]}-{copy:02d}"
                if row[rent].isdigit():
                    row[rent] = str(int(row[rent]) + 7 * copy)
                if row[salary].isdigit():
                    row[salary] = str(int(row[salary]) + 31 * copy)
                writer.writerow(row)
    return path


@pytest.fixture(scope="module")
def local_rows(households_file: Path, engine: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The local path's output on the file (this process's engine)."""
    folder = tmp_path_factory.mktemp("local")
    outcome = screen(households_file, folder / "local.csv", month=MONTH, engine=engine, chunk_size=CHUNK,
                     today=TODAY, write_report=False)
    assert outcome.complete and outcome.computed == 8 * COPIES and outcome.rejected == 4 * COPIES
    return {"rows": csv_rows(folder / "local.csv"), "errors": read_errors(folder / "local-erreurs.csv"),
            "flagged": outcome.households_flagged}


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def worker_engines(cluster: Any, security: Any) -> dict[str, Any]:
    """Per worker address: the identity of its process's engine (None: not loaded)."""
    from distributed import Client

    with Client(cluster.scheduler_address, security=security, set_as_default=False) as client:
        return client.run(eval, "id(__import__('app.core.batch.chunks', fromlist=['_']) ._WORKER_ENGINE)")


# --------------------------------------------------------------------------- tests


def test_a_task_shows_no_household_data_in_its_repr_or_its_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask's workers log a failed task's repr and its exception: neither holds personal data."""
    from app.core.batch import dask as batch_dask
    from app.core.batch.screen import plan_chunks
    from app.core.batch.sources import open_source

    task = next(plan_chunks(open_source(EXAMPLE), 5, MONTH, MONTH, TODAY))
    assert task.items and task.errors
    text = repr(task) + repr(task.items)
    for secret in ("A-0001", "1990", "650", "69123", "Personne"):
        assert secret not in text
    assert repr(task) == f"ChunkTask(index=0, households={len(task.items)}, rejected_rows={len(task.errors)})"

    def failing(_task: Any) -> Any:
        raise ValueError("row 2: A-0001, born 15/04/1990")

    monkeypatch.setattr(batch_dask, "worker_chunk", failing)
    with pytest.raises(batch_dask.ChunkFailed) as caught:
        batch_dask.cluster_chunk(task)
    assert str(caught.value) == "ValueError"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__




@pytest.mark.slow
def test_the_cluster_is_reached_over_tls_only(cluster: Any, security: Any, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from app.core.batch import dask as batch_dask

    address = cluster.scheduler_address
    assert address.startswith("tls://127.0.0.1:")
    monkeypatch.setattr(batch_dask, "CONNECT_TIMEOUT", 3)
    # Without the certificates, and in clear text: refused, with the French message.
    with pytest.raises(ScreenError, match="ne répond pas ou refuse la connexion"):
        batch_dask.connect(address)
    with pytest.raises(ScreenError, match="ne répond pas ou refuse la connexion"):
        batch_dask.connect(address.replace("tls://", "tcp://"))
    # A certificate the cluster's authority did not sign: refused too.
    stranger = make_certificates(tmp_path)
    with pytest.raises(ScreenError):
        batch_dask.connect(address, batch_dask.cluster_security(stranger["ca"], stranger["cert"], stranger["key"]))
    with pytest.raises(ScreenError, match="--tls-key"):
        batch_dask.cluster_security(stranger["ca"], stranger["cert"], None)
    client = batch_dask.connect(address, security)
    try:
        assert len(client.scheduler_info()["workers"]) == 2
    finally:
        client.close()


@pytest.mark.slow
def test_a_cluster_gives_the_local_paths_results_row_by_row_and_resumes_like_it(cluster: Any, security: Any, households_file: Path,
                                                            local_rows: dict[str, Any], tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    output = tmp_path / "cluster.csv"
    caplog.set_level(logging.DEBUG)
    # Cancelled after its first chunk, then resumed, as locally (test_batch.py): the
    # partial folder keeps the finished chunks, the second run computes the others.
    stop = CancelAfter(1)
    outcome = screen(households_file, output, month=MONTH, chunk_size=CHUNK, today=TODAY, write_report=False,
                     scheduler=cluster.scheduler_address, security=security, progress=stop.progress, cancel=stop.event)
    assert not outcome.complete and outcome.reason == "cancelled" and not output.exists()
    assert partial_dir_for(output).is_dir()
    outcome = screen(households_file, output, month=MONTH, today=TODAY, write_report=False,
                     scheduler=cluster.scheduler_address, security=security)
    assert outcome.complete and outcome.chunks >= 8 and 1 <= outcome.resumed_chunks < outcome.chunks
    assert (outcome.computed, outcome.rejected) == (8 * COPIES, 4 * COPIES)
    rows = csv_rows(output)
    assert len(rows) == 1 + 8 * COPIES
    for got, expected in zip(rows, local_rows["rows"]):
        assert got == expected
    assert read_errors(tmp_path / "cluster-erreurs.csv") == local_rows["errors"]
    assert outcome.households_flagged == local_rows["flagged"] > 0
    # No household data in this process's log records (Dask's included).
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "A-0001" not in logged and "15/04/1990" not in logged and "1990-04-15" not in logged

    # Each worker loaded its engine once: a second run on the same cluster finds it loaded.
    engines = worker_engines(cluster, security)
    assert len(engines) == 2 and all(engines.values())
    again = screen(EXAMPLE, tmp_path / "again.csv", month=MONTH, today=TODAY, write_report=False,
                   scheduler=cluster.scheduler_address, security=security)
    assert again.complete and again.computed == 8
    assert worker_engines(cluster, security) == engines


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_no_row_and_counts_none_twice(cluster: Any, security: Any,
                                                                   households_file: Path, local_rows: dict[str, Any],
                                                                   tmp_path: Path) -> None:
    from distributed import Client

    killed: list[int] = []
    watcher = Client(cluster.scheduler_address, security=security, set_as_default=False)

    def kill_a_busy_worker(item: Progress) -> None:
        if killed or item.phase != "computing" or item.done == 0:
            return
        busy = [address for address, keys in watcher.processing().items() if keys]
        if not busy:
            return
        pid = watcher.run(os.getpid, workers=[busy[0]])[busy[0]]
        os.kill(pid, signal.SIGKILL)  # mid-chunk: its chunks go to the other worker
        killed.append(pid)

    try:
        output = tmp_path / "killed.csv"
        outcome = screen(households_file, output, month=MONTH, chunk_size=CHUNK, today=TODAY, write_report=False,
                         scheduler=cluster.scheduler_address, security=security, progress=kill_a_busy_worker)
    finally:
        watcher.close()
    assert killed, "no worker was busy when the first chunk came back"
    assert outcome.complete and (outcome.computed, outcome.rejected) == (8 * COPIES, 4 * COPIES)
    rows = csv_rows(output)
    lines = [row[0] for row in rows[1:]]
    assert len(lines) == len(set(lines)) == 8 * COPIES  # every household exactly once
    assert rows == local_rows["rows"]
    assert read_errors(tmp_path / "killed-erreurs.csv") == local_rows["errors"]


def test_a_worker_with_other_versions_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its results would differ: the plugin's setup refuses it (naming versions only)."""
    import asyncio

    from app.core.batch import dask as batch_dask

    expected = batch_dask.installation()
    other = {"versions": dict(expected["versions"], **{"openfisca-france": "0.0.1"}), "catalogue": "x"}
    loaded: list[str] = []
    monkeypatch.setattr(batch_dask, "_load_locked", loaded.append)
    with pytest.raises(batch_dask.VersionMismatch, match=r"^openfisca-france 176\.1\.8 / 0\.0\.1, rules/$"):
        asyncio.run(batch_dask.EnginePlugin(MONTH, other).setup(worker=None))
    assert loaded == []
    asyncio.run(batch_dask.EnginePlugin(MONTH, expected).setup(worker=None))
    assert loaded == [MONTH]


def test_the_command_line_checks_the_cluster_options_before_anything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from app import cli
    from app.core.batch import dask as batch_dask

    monkeypatch.setattr(batch_dask, "CONNECT_TIMEOUT", 1)  # Dask retries a refused connection until then

    output = tmp_path / "r.xlsx"
    assert cli.main(["screen", str(EXAMPLE), "-o", str(output), "--tls-cert", str(tmp_path / "c.pem")]) == 2
    assert "ne servent qu'avec --scheduler" in capsys.readouterr().err
    assert cli.main(["screen", str(EXAMPLE), "-o", str(output), "--scheduler", "tls://127.0.0.1:1"]) == 2
    assert "il manque --tls-ca-file, --tls-cert, --tls-key" in capsys.readouterr().err
    # A cluster that does not answer: a French message, exit code 2, nothing written.
    assert cli.main(["screen", str(EXAMPLE), "-o", str(output), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "ne répond pas ou refuse la connexion" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
