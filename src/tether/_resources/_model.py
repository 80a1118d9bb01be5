"""``tether.Model``: pydantic's ``BaseModel`` with the defaults a JSON API wants."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["Model"]


class Model(BaseModel):
    """A pydantic model for an API's JSON, with snake_case fields read from camelCase keys.

    * ``user_id`` is filled from ``"userId"`` (and from ``"user_id"``: either name works
      when you build a model yourself);
    * fields the class does not declare are **kept** (``model.model_extra``, and in
      ``model_dump()``): an API that adds a field does not make your data disappear, and a
      model read and sent back loses nothing. Subclasses that would rather refuse them set
      ``model_config = tether.Model.model_config | {"extra": "forbid"}``;
    * ``model_dump()`` gives the Python names, ``model_dump(by_alias=True)`` the API's
      names, which is what :class:`tether.Resource` sends;
    * ``print(model)`` shows the class and the fields, as ``repr()`` does.

    Everything else is pydantic as usual (validators, ``Field``, nested models).

    Example::

        class Post(tether.Model):
            id: int | None = None
            user_id: int
            title: str

        post = Post.model_validate({"userId": 1, "id": 7, "title": "hi"})
        post.user_id                        # 1
        post.model_dump(by_alias=True)      # {'id': 7, 'userId': 1, 'title': 'hi'}
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="allow",
    )

    def __str__(self) -> str:
        # pydantic's str() leaves out the class name; print(post) should say it is a Post.
        return repr(self)
