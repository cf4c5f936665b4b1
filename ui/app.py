"""The web chat as a Gradio app: create_app(assistant) lays it out and wires the handlers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.pipeline import Assistant
from assistant.readiness import Readiness
from assistant.telemetry import Telemetry
from ui import chat, render
from ui.feedback import FeedbackStore

HERE = Path(__file__).parent
TITLE = "NATO Consultations Assistant"
INTRO = (
    f"<div id='intro'><h1>{TITLE}</h1><p>Questions about NATO consultations under Article 4 "
    "of the North Atlantic Treaty, answered from the indexed sources: every sentence cites "
    "the passage it comes from.</p></div>"
)
SYSTEM_FONTS = (
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Roboto",
    "Helvetica Neue",
    "Arial",
    "sans-serif",
)


def page_options() -> dict[str, Any]:
    """Theme, stylesheet and script: Gradio takes these when the app is mounted or launched."""
    theme = gr.themes.Soft(
        primary_hue="blue",
        neutral_hue="slate",
        font=SYSTEM_FONTS,
        font_mono=("ui-monospace", "SFMono-Regular", "Menlo", "monospace"),
    )
    return {"theme": theme, "css_paths": [HERE / "style.css"], "head_paths": [HERE / "head.html"]}


def create_app(
    assistant: Assistant,
    readiness: Readiness | None = None,
    feedback: FeedbackStore | None = None,
    sign_out: bool = False,
    telemetry: Telemetry | None = None,
) -> gr.Blocks:
    """The chat: conversation, sources panel, feedback and advanced retrieval settings."""
    readiness = readiness or Readiness(assistant)
    store = feedback or FeedbackStore(assistant.settings.feedback_url)

    demo = gr.Blocks(title=TITLE, analytics_enabled=False)
    with demo:
        conversation = gr.State(chat.Conversation())
        with gr.Row(elem_id="header", equal_height=True):
            gr.HTML(INTRO, padding=False)
            with gr.Column(scale=0, min_width=170, elem_id="header-actions"):
                new = gr.Button("New conversation", size="sm", elem_id="new-conversation")
                if sign_out:
                    gr.HTML(
                        "<form method='post' action='logout' id='sign-out-form'>"
                        "<button id='sign-out' type='submit'>Sign out</button></form>"
                    )
        with gr.Row(elem_id="main", equal_height=False):
            with gr.Column(scale=3, min_width=300, elem_id="chat-column"):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    label="Conversation",
                    show_label=False,
                    height="62vh",
                    min_height=320,
                    layout="bubble",
                    buttons=[],
                    allow_tags=False,
                    latex_delimiters=[],
                    sanitize_html=True,
                    examples=[{"text": q} for q in chat.EXAMPLES],
                    placeholder="**Ask a question**, or start with an example:",
                )
                question = gr.Textbox(
                    elem_id="question",
                    show_label=False,
                    lines=1,
                    max_lines=5,
                    placeholder="Ask about NATO consultations…",
                    submit_btn="Ask",
                    max_length=assistant.settings.max_question_chars * 2,
                )
                with gr.Group(visible=False, elem_id="feedback") as feedback_box:
                    comment_box = gr.Textbox(
                        label="Comment on the answer (optional)",
                        lines=2,
                        max_length=2000,
                        elem_id="comment",
                    )
                    send_comment = gr.Button("Send comment", size="sm", elem_id="send-comment")
                status = gr.Markdown("", elem_id="feedback-status")
                with gr.Accordion("Advanced: retrieval settings", open=False, elem_id="advanced"):
                    top_k = gr.Slider(
                        1,
                        20,
                        value=assistant.settings.top_k,
                        step=1,
                        label="Passages to retrieve (top-k)",
                        elem_id="top-k",
                    )
                    sources = gr.Dropdown(
                        choices=[],
                        multiselect=True,
                        elem_id="source-filter",
                        label="Only these sources",
                        info="Leave empty to search every source.",
                    )
                    with gr.Row():
                        date_from = gr.Textbox(
                            label="From date",
                            placeholder="YYYY-MM-DD",
                            elem_id="date-from",
                            min_width=140,
                        )
                        date_to = gr.Textbox(
                            label="To date",
                            placeholder="YYYY-MM-DD",
                            elem_id="date-to",
                            min_width=140,
                        )
            with gr.Column(scale=2, min_width=280, elem_id="sources-column"):
                gr.HTML("<h2 id='sources-title'>Sources</h2>", padding=False)
                panel = gr.HTML(render.EMPTY_SOURCES, elem_id="sources", padding=False)

        def ask(
            text: str,
            conv: chat.Conversation,
            k: float | None,
            only: list[str] | None,
            since: str | None,
            until: str | None,
        ) -> Iterator[chat.Update]:
            options = chat.Options(
                int(k) if k else None, tuple(only or ()), since or "", until or ""
            )
            asked = len(conv.exchanges)
            for update in chat.respond(assistant, readiness, text, conv, options):
                yield update
                if telemetry and len(update[1].exchanges) > asked:
                    telemetry.answered(update[1].exchanges[-1].answer)

        def pick_example(event: gr.SelectData) -> str:
            value = event.value
            return str(value.get("text", "")) if isinstance(value, dict) else str(value)

        def like(
            conv: chat.Conversation, event: gr.LikeData, request: gr.Request
        ) -> tuple[chat.Conversation, Any, str]:
            conv, line = chat.rate(store, conv, event.index, event.liked, request.username or "")
            return conv, gr.update(visible=conv.rated is not None), line

        def add_comment(conv: chat.Conversation, text: str) -> tuple[str, str]:
            return chat.comment(store, conv, text)

        def start_over() -> tuple[Any, ...]:
            return (*chat.new_conversation(), gr.update(visible=False), "", "")

        inputs = [question, conversation, top_k, sources, date_from, date_to]
        outputs = [chatbot, conversation, panel, question]
        private: dict[str, Any] = {"api_visibility": "private"}
        question.submit(ask, inputs, outputs, **private)
        chatbot.example_select(pick_example, None, question, **private).then(
            ask, inputs, outputs, **private
        )
        chatbot.like(like, [conversation], [conversation, feedback_box, status], **private)
        send_comment.click(
            add_comment, [conversation, comment_box], [status, comment_box], **private
        )
        comment_box.submit(
            add_comment, [conversation, comment_box], [status, comment_box], **private
        )
        for clear in (new.click, chatbot.clear):
            clear(start_over, None, [*outputs, feedback_box, status, comment_box], **private)
        demo.load(
            lambda: gr.update(choices=chat.source_choices(assistant, readiness)),
            None,
            sources,
            **private,
        )
    # Several people may ask at once (the HTTP API already answers concurrently); more
    # than a few at a time would only share the same CPU cores.
    demo.queue(default_concurrency_limit=4, max_size=100)
    return demo
