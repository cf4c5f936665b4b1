"""The `huggingface` generator with a tiny, randomly initialised chat model built here.

No weights can be downloaded, so the test builds a two-layer Llama and a byte-level BPE
tokenizer trained on the corpus, gives it a chat template and saves it to a folder. Its
output is noise, which is what the citation check must catch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Answer, Assistant, Settings, SettingsError, Turn, build_assistant, followup
from assistant.settings import PROJECT_ROOT

QUESTION = "When was the North Atlantic Treaty signed?"
TEMPLATE = (
    "{% for m in messages %}<s>{{ m['role'] }}\n{{ m['content'] }}</s>\n{% endfor %}"
    "{% if add_generation_prompt %}<s>assistant\n{% endif %}"
)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-llama")
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    texts = [p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "corpus").glob("*.md")]
    bpe.train_from_iterator(
        texts,
        trainers.BpeTrainer(
            vocab_size=600,
            special_tokens=["<s>", "</s>", "<pad>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        ),
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    tokenizer.chat_template = TEMPLATE
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=8192,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def local_llm(nato: Assistant, nato_settings: Settings, tiny_model: Path) -> Assistant:
    return build_assistant(
        nato_settings.replace(
            generator="huggingface",
            llm_model=str(tiny_model),
            llm_max_tokens=24,
            llm_context_chars=4000,
        )
    )


def test_noise_from_the_model_falls_back_to_the_extractive_answer(
    local_llm: Assistant, nato: Assistant
) -> None:
    assert local_llm.generator.name == "huggingface"
    answer = local_llm.ask(QUESTION)
    assert answer.fallback.startswith("No sentence of the language model's answer")
    assert answer.generator == "extractive" and not answer.refused
    assert answer.answer == nato.ask(QUESTION).answer and answer.citations


def test_streaming_runs_the_model_then_checks(local_llm: Assistant, nato: Assistant) -> None:
    items = list(local_llm.stream(QUESTION))
    final = items[-1]
    assert isinstance(final, Answer)
    streamed = "".join(i for i in items if isinstance(i, str))
    assert streamed.strip() and streamed != final.answer  # the model's own tokens came first
    assert final.fallback.startswith("No sentence") and final.answer == nato.ask(QUESTION).answer


def test_follow_up_is_condensed_by_the_model(local_llm: Assistant) -> None:
    question = "When was it signed?"
    assert local_llm.standalone(question, []) == question  # no history: nothing to condense
    history = [Turn("user", "Tell me about the North Atlantic Treaty.")]
    condensed = local_llm.standalone(question, history)
    # The model's (random) line, not the rule-based rewrite used without a model.
    assert condensed and condensed not in (question, followup.rewrite(question, history))


def test_missing_chat_template_is_a_clear_error(
    nato_settings: Settings, tiny_model: Path, tmp_path: Path
) -> None:
    from transformers import AutoTokenizer

    plain = tmp_path / "no-template"
    for name in ("config.json", "model.safetensors", "generation_config.json"):
        (plain / name).parent.mkdir(exist_ok=True)
        (plain / name).write_bytes((tiny_model / name).read_bytes())
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    tokenizer.chat_template = None
    tokenizer.save_pretrained(plain)
    (plain / "chat_template.jinja").unlink(missing_ok=True)
    assistant = build_assistant(
        nato_settings.replace(generator="huggingface", llm_model=str(plain))
    )
    with pytest.raises(SettingsError, match="has no chat template"):
        _ = assistant.generator
