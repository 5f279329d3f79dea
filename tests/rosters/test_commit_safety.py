"""Committing under pressure: two overlapping uploads at once, a connection killed midway."""
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from apps.registry.models import Person
from apps.rosters import importers
from apps.rosters.models import UploadKind, UploadStatus
from apps.rosters.services import upload_commit, upload_receive
from tests.rosters.files import person_row, xlsx


def receive(user, data):
    return upload_receive(actor=user, kind=UploadKind.REGISTRATION,
                          uploaded=SimpleUploadedFile("名册.xlsx", data))


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_uploads_at_once_create_each_person_once(world):
    first = receive(world.unit_u1, xlsx([person_row(i) for i in range(1, 41)]))
    second = receive(world.unit_u1, xlsx([person_row(i) for i in range(21, 61)]))  # 20 shared
    barrier, done = threading.Barrier(2), []

    def commit(upload):
        try:
            barrier.wait()
            done.append(upload_commit(upload, actor=world.unit_u1).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=commit, args=(u,)) for u in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert done == [UploadStatus.COMMITTED, UploadStatus.COMMITTED]
    names = list(Person.objects.filter(name__startswith="测试").values_list("name", flat=True))
    assert len(names) == len(set(names)) == 60


@pytest.mark.django_db(transaction=True)
def test_the_same_file_twice_at_once_commits_once(world):
    data = xlsx([person_row(i) for i in range(1, 11)])
    a, b = receive(world.unit_u1, data), receive(world.unit_u1, data)
    barrier = threading.Barrier(2)

    def commit(upload):
        try:
            barrier.wait()
            upload_commit(upload, actor=world.unit_u1)
        finally:
            connection.close()

    threads = [threading.Thread(target=commit, args=(u,)) for u in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a.refresh_from_db()
    b.refresh_from_db()
    assert sorted([a.new_count, b.new_count]) == [0, 10]
    assert Person.objects.filter(name__startswith="测试").count() == 10


@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_midway_writes_nothing_and_a_rerun_completes(world, monkeypatch):
    data = xlsx([person_row(i) for i in range(1, 1001)])
    upload = receive(world.unit_u1, data)
    assert upload.new_count == 1000

    def kill_after_first_batch(done):
        if done >= 500:
            pid = connection.connection.info.backend_pid if hasattr(connection.connection, "info") \
                else connection.connection.get_backend_pid()
            other = connections.create_connection("default")
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            other.close()

    monkeypatch.setattr(importers, "on_progress", kill_after_first_batch)
    failed = upload_commit(upload, actor=world.unit_u1)
    assert failed.status == UploadStatus.FAILED
    assert "本次未写入任何数据" in failed.message
    assert Person.objects.filter(name__startswith="测试").count() == 0

    monkeypatch.setattr(importers, "on_progress", lambda done: None)
    rerun = upload_commit(receive(world.unit_u1, data), actor=world.unit_u1)
    assert rerun.status == UploadStatus.COMMITTED and rerun.new_count == 1000
    assert Person.objects.filter(name__startswith="测试").count() == 1000
