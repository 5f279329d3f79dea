"""A small client of the API, built from its schema, as another system would write one
(issue 23, done-when): an agency's back office that keeps a copy of its people abroad.

It reads ``/api/v1/schema/`` to find the operations it needs by ``operationId`` (not by
hard-coded paths), pages through each list by ``next``, and keeps the last ``cursor`` so
that the next sync asks only for what changed. ``send`` is any function
``(method, path, params) -> (status, json)``: the tests give one over Django's test client
and one over HTTP to the live server."""


class SyncError(RuntimeError):
    pass


class DepartureSync:
    OPERATION = "candidacies_list"      # every change of the agency's candidacies

    def __init__(self, send):
        self.send = send
        self.cursor = None
        self.rows: dict[int, dict] = {}
        status, schema = send("get", "/api/v1/schema/", {})
        if status != 200:
            raise SyncError(f"schema: {status}")
        self.paths = {op["operationId"]: (path, method)
                      for path, item in schema["paths"].items()
                      for method, op in item.items()}
        path, method = self.paths[self.OPERATION]
        item = schema["paths"][path][method]
        names = {p["name"] for p in item.get("parameters", [])}
        if not {"cursor", "changed_since"} <= names:
            raise SyncError("the list cannot be followed by cursor")
        self.list_path = path

    def sync(self) -> int:
        """Fetch every change since the last sync; returns how many rows were new or changed."""
        params = {"cursor": self.cursor} if self.cursor else {}
        path, arrived = self.list_path, 0
        while True:
            status, page = self.send("get", path, params)
            if status != 200:
                raise SyncError(f"{path}: {status} {page}")
            for row in page["results"]:
                # The last two minutes come again after a resume (the server's settling
                # time): an upsert by id, counted only when the row is new or changed.
                if self.rows.get(row["id"]) != row:
                    arrived += 1
                self.rows[row["id"]] = row
            self.cursor = page["cursor"] or self.cursor
            if not page["next"]:
                return arrived
            path, params = page["next"], {}

    def departures(self) -> dict[int, dict]:
        """People of the agency abroad now, by candidacy: departed and not returned."""
        return {pk: row for pk, row in self.rows.items() if row["status"] == "abroad"}
