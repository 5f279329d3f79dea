"""The one exception of the upload front door: a refusal with a Chinese message for the user."""


class Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
