"""Every string the page shows, in Simplified Chinese (zh-CN): the same keys and placeholders as demo/locales/en.py.

Code, file names and PyTorch's own names (`make_grid`, `DataLoader`, MNIST) stay as they are, as the
Chinese tutorial this demo grew from writes them.
"""

STRINGS: dict[str, str] = {
    # --- The page -----------------------------------------------------------------------------------
    "intro": (
        "# ✍️ 写一个数字，看神经网络认出它\n"
        "这是一个用 PyTorch 训练的全连接网络：它学过 MNIST，也学过其他人用笔写的数字，所以带钩的 1、带横杠的 7、"
        "一笔写成的 4 它也认得；它还学过字母和涂鸦，所以能说出一幅画不是数字。在下面写一个数字（没有鼠标或触摸屏？"
        "在画板下方上传一张数字图片）；在 **图库** 中浏览它学过的数据；在 **模型** 中看看它是什么、关注什么；"
        "在 **训练** 中训练你自己的网络。"
    ),
    "language": "Language · 语言",
    "model_picker": "识别你手写数字的模型（只对这个浏览器标签页有效；可在“训练”中训练你自己的模型）",
    "model_picker_short": "模型",
    "tab.draw": "手写",
    "tab.gallery": "图库",
    "tab.model": "模型",
    "tab.train": "训练",
    # --- Draw tab -----------------------------------------------------------------------------------
    "draw.sketchpad": "写一个数字或一个多位数",
    "draw.clear": "清除",
    "draw.answer": "回答",
    "draw.top3": "前三名",
    "draw.seen": "网络看到的输入（1×28×28，已放大）以及它这样回答的原因",
    "draw.examples": "或者从一幅手写数字开始（来自 UNIPEN 的笔写数字，CC BY 4.0）",
    "draw.example_name": "示例：手写的数字 {digit}",
    "draw.upload_box": "……或者上传一张数字的照片或图片",
    "draw.upload": "一个数字的照片",
    "draw.prompt": "✏️ 在方框里写一个数字（0–9）或一个多位数——你一边写，网络一边认。",
    "draw.no_digit_in_upload": (
        "⚠️ 上传的图片里没有找到数字：它是空白的或只有一种颜色。请上传一张浅色背景上的深色数字照片（或深色背景上的浅色数字）。"
    ),
    "draw.seen_alt": "网络读取的 1×28×28 输入，旁边是它这样回答的原因",
    "draw.from_upload": "*读取的是你上传的图片，而不是画板。*",
    "a_digit": "{digit}",
    "a_digit.8": "{digit}",
    "article": "",
    "article.8": "",
    "not_a_digit": "不是数字",
    "verdict.digit": "### 这是 **{digit}**（{p:.0%} 把握）",
    "verdict.unsure": "### 🤔 不确定——是 {first} 还是 {second}？",
    "verdict.unsure_maybe_not": "### 🤔 不确定——也许这不是数字；如果是，是 {first} 还是 {second}？",
    "verdict.not_digit": "### 🙃 这看起来不像数字（{p:.0%} 把握）",
    "verdict.nearest": "<small>最接近的数字：{first}（{p_first:.0%}），{second}（{p_second:.0%}）。</small>",
    "verdict.number": "### 这是 **{number}**",
    "verdict.number_unsure": "### 🤔 也许是 **{number}**：标 ? 的数字不确定",
    "draw.number_explained": (
        "逐个数字来读：网络看到 **{count}** 个 1×28×28 输入，每个数字一个（下方，各自框出）；每个下面是原因："
        "把它推向答案的像素为红色，推向第二选择的为蓝色（{method}）；再下面是它的前三名。"
    ),
    "draw.digit_alt": "读作 {text} 的那个数字的 1×28×28 输入，下面是原因",
    "draw.explained": (
        "网络看到的是一个 **{shape}** 的张量（左下，已放大）。右边是原因：把它推向 **{toward}** 的像素为红色，"
        "推向 **{against}** 的为蓝色（{method}）。"
    ),
    "method.linear": "它的权重 × 你的笔迹（对单层模型是精确的）",
    "method.gradient": "梯度 × 输入",
    "warning": "⚠️ {text}",
    "error.ImageError": "无法读取这张图片。（{detail}）",
    "error.CheckpointError": "无法加载这个模型。（{detail}）",
    "error.DataUnavailableError": "找不到 MNIST 数据。（{detail}）",
    "error.MnistCoreError": "出了点问题。（{detail}）",
    "error.ValueError": "这个设置不可用。（{detail}）",
    # The queue's refusals (demo/page/guards.py): a page that asks for more than its share at once.
    "refusal.busy": "服务器正忙于其他请求，请稍后再试。",
    "refusal.too_fast": "来自你的地址的请求一时太多，请过几秒再试。",
    "error.image_too_large": "图片太大，无法读取：最多 {megapixels} 百万像素。",
    "error.image_missing": "文件没有传到服务器，请重新上传。",
    "error.not_an_image": "这个文件不是可以读取的图片，请上传一个数字的 PNG 或 JPEG 图片。",
    "error.checkpoint_missing": "服务器上缺少这个模型的文件 {name}，请选择其他模型。",
    "error.checkpoint_lfs_pointer": "服务器上这个模型的文件 {name} 只是 Git LFS 指针，不是权重，请选择其他模型。",
    "error.checkpoint_broken": "服务器上这个模型的文件 {name} 不完整、已损坏或不是它的检查点，请选择其他模型。",
    "error.no_such_model": "没有名为 {name} 的模型，请从 {choices} 中选择。",
    "error.mnist_unavailable": "服务器上没有 MNIST，也无法下载。",
    "error.data_unavailable": "服务器上没有 {what}。",
    "error.bad_label": "这个标签既不是 0-9 的数字，也不是“不是数字”。",
    "error.collection_full": "你的手写数字已满（{most} 个）：请先下载再清空，然后继续。",
    "error.no_drawings": "还没有可以学习的手写：先写一个数字，再说出它是几。",
    "error.no_not_digit_output": "这个模型没有“不是数字”这个回答，无法学习；请选择默认模型来教它。",
    # --- "It was a …" and fine-tuning -----------------------------------------------------------------
    "teach.it_was": "**它其实是……**（告诉它你写的是什么；你的手写数字只保存在这个浏览器标签页里）",
    "teach.digit_button": "它其实是 {a_digit}",
    "teach.not_digit_button": "它其实不是数字",
    "teach.none": "**你的手写数字：还没有。** 先写一个数字，再按下它实际是的那个数字（最多 {most} 个）。",
    "teach.count": "**你的手写数字：{count} 个**（{counts}）",
    "teach.draw_first": "⚠️ 请先写一个数字，再说它是哪个。",
    "teach.kept": "✅ 已保存为{a_label}。",
    "teach.kept_digit": " **{label}**",
    "teach.kept_not_digit": "**不是数字**",
    "teach.accordion": "教它认你的笔迹",
    "teach.fine_tune": "用我的手写数字微调",
    "teach.download": "下载我的手写数字",
    "teach.forget": "清除我的手写数字",
    "teach.about": (
        "你正在使用的模型会复制一份，学习你标注过的手写数字（每个数字每 5 个留出 1 个用来衡量效果），同时重温 MNIST，"
        "以免忘掉它：在服务器的 CPU 上大约需要 {seconds} 秒。"
    ),
    "teach.too_few": "⚠️ 请先标注至少 {least} 个手写数字（你现在有 {count} 个）。",
    "teach.busy": "⚠️ 你有一个训练正在进行，或者队列已满；等它结束后再试。",
    "teach.waiting": "⏳ **训练队列：前面还有 {ahead} 个**（{wait}）。",
    "teach.running": "正在用你的手写数字微调（大约 {seconds} 秒）……",
    "teach.held_out": "| 你留出的 {count} 个手写数字（未用于训练） | {before} | **{after}** |",
    "teach.no_held_out": "| 你留出的手写数字 | – | –（同一个数字标注 5 个，就会留出 1 个） |",
    "teach.report": (
        "✅ **用你的 {count} 个手写数字微调完成，用时 {seconds:.1f} 秒。** 它现在是选择器中你的模型；再写一次试试。"
        "\n\n| 认对的比例 | 之前 | 之后 |\n| --- | --- | --- |\n{mine}\n"
        "| MNIST 测试集（10,000 张） | {mnist_before:.2%} | **{mnist_after:.2%}** |"
    ),
    # --- Gallery tab ----------------------------------------------------------------------------------
    "gallery.intro": (
        "一批 MNIST 图像，做法和教程完全一样：`MNIST(transform=ToTensor())` → `DataLoader` → `make_grid(images)` → "
        "`.permute(1, 2, 0)` 用于显示。每个标签旁边是模型的回答。切换数据来源，可以看到其他人用笔写的数字，"
        "它们按画板画笔画的方式绘制。"
    ),
    "gallery.split": "数据集划分",
    "split.train": "训练集",
    "split.test": "测试集",
    "gallery.batch_size": "批大小",
    "gallery.nrow": "每行图像数（nrow）",
    "gallery.padding": "间距（像素）",
    "gallery.seed": "随机种子",
    "gallery.shuffle": "打乱顺序",
    "gallery.digit": "只看这个数字",
    "gallery.all_digits": "全部",
    "gallery.mistakes": "只看模型认错的（总是来自测试集）",
    "gallery.source": "数据来源",
    "source.mnist": "MNIST",
    "source.pendigits": "笔写数字（pendigits：伊斯坦布尔的 44 位书写者，按画板的方式绘制）",
    "source.nondigits": "非数字（笔写字母和符号、其他文字、涂鸦：网络学着拒绝的东西）",
    "source_short.mnist": "MNIST",
    "source_short.pendigits": "笔写数字",
    "source_short.nondigits": "非数字",
    "gallery.show": "显示这一批",
    "gallery.next": "下一批 →",
    "gallery.status_label": "批次",
    "gallery.grid": "make_grid(images)",
    "gallery.labels": "按网格顺序排列的标签",
    "gallery.how_to_provide": (
        "图库需要四个 MNIST 文件（`train-images-idx3-ubyte.gz`、`train-labels-idx1-ubyte.gz`、"
        "`t10k-images-idx3-ubyte.gz`、`t10k-labels-idx1-ubyte.gz`）：把它们放进 `data/MNIST/raw/`，或放进环境变量 "
        "`MNIST_DATA_DIR` 指定的文件夹，然后重启应用。没有它们也可以手写。"
    ),
    "gallery.works_without": "没有它也可以手写。",
    "gallery.unavailable": "⚠️ {how}\n\n（{detail}）",
    "gallery.chosen": "{source}，{split}，{digits}",
    "gallery.all": "全部数字",
    "gallery.one_digit": "数字 {digit}",
    "gallery.only_mistakes": "，只看{model}认错的",
    "gallery.shuffled": "用种子 {seed} 打乱",
    "gallery.in_order": "按数据集顺序",
    "gallery.status": (
        "{chosen}：共 {pool:,} 张图像，{order}。第 **{number} / {count}** 批：{size} 张图像经过 "
        "`make_grid(images, nrow={nrow}, padding={padding}, pad_value=0.5)`；模型认错了其中 **{wrong}** 张。"
    ),
    "gallery.cell_title": "标签 {label}，模型 {answer}",
    "gallery.legend": (
        '按网格顺序排列的标签（✗：不是数字）；<span style="color:#b00020"><b>标签</b>→回答</span> 表示认错'
        "（在网格中用红框标出）。"
    ),
    "gallery.bad_choice": "⚠️ 请从 {sources} 中选择数据来源，从 {splits} 中选择划分，数字选 0–9 或“all”。",
    "gallery.none_match": "没有符合这些筛选条件的图像。",
    # --- Model tab and the model picker ---------------------------------------------------------------
    "model.confusion": "MNIST 测试集上的混淆矩阵（行：真实数字；列：模型的回答）",
    "model.weights": "第一层权重",
    "model.mnist_only": "只学过 MNIST",
    "model.pen": "MNIST + 笔写数字",
    "model.pen_not_digits": "MNIST + 笔写数字 + 非数字",
    "model.title": "{description} · {data}",
    "model.unloadable": "{name}（无法加载）",
    "model.yours": "你的：{title}，{how}（{accuracy:.1%}）",
    "model.fine_tuned_on": "用你的 {count} 个手写数字微调",
    "model.trained_here": "在这里训练",
    "arch.linear": "单层（教程里的）",
    "arch.mlp": "MLP",
    "arch.ensemble": "集成模型",
    "layers.linear": "一个 `nn.Linear(784, 10)`：像素直接变成数字得分",
    "layers.mlp": "每个隐藏层为 `Linear → ReLU → Dropout({dropout})`",
    "layers.ensemble": "用不同随机种子各自训练的 MLP；回答是它们概率的平均",
    "facts.checkpoint": "- **检查点：** `checkpoints/{file}`（Hub 模型文件夹）",
    "facts.own_checkpoint": "- **检查点：** 你的，在“训练”中训练，只保存在这个浏览器标签页（可在那里下载）",
    "facts.layers": "- **层：** {sizes} —— {how}",
    "facts.parameters": "- **参数：** {count:,} 个",
    "facts.accuracy": "- **MNIST 测试准确率：** {accuracy:.2%}（它从未训练过的 10,000 张图像）",
    "facts.no_accuracy": "- **MNIST 测试准确率：** 没有记录",
    "facts.trained_on": "- **训练数据：** {data}",
    "facts.not_digit_yes": "- **不是数字：** 它能回答“这看起来不像数字”（第 11 个输出）",
    "facts.not_digit_no": "- **不是数字：** 它没法这样说：每幅画都会得到十个数字之一",
    "facts.training": "- **训练：** {summary}{members}",
    "facts.all_members": "（所有成员）",
    "facts.not_recorded": "没有记录",
    "facts.commands": "- **命令（按顺序）：** {commands}",
    "facts.command": "- **命令：** {commands}",
    "facts.member": "- **成员 {number}：** 单独 {accuracy:.2%}；{summary}；`{command}`",
    "facts.created": "- **创建于：** {created}，torch {torch}",
    "summary.fine_tuned_from": "从 {start} 微调",
    "summary.epochs": "{epochs} 轮",
    "summary.batch": "批大小 {size}",
    "summary.lr": "{optimizer}，学习率 {lr}",
    "summary.weight_decay": "权重衰减 {value}",
    "summary.label_smoothing": "标签平滑 {value}",
    "summary.with_augmentation": "使用数据增强",
    "summary.without_augmentation": "不使用数据增强",
    "summary.strength": "强度 {strength}×",
    "summary.seed": "种子 {seed}",
    "summary.time": "在 {device} 上用时 {seconds:.0f} 秒",
    "summary.separator": "，",
    "data.separator": " + ",
    "data.mnist": "MNIST 的 60,000 个训练数字",
    "data.pendigits": "pendigits 中来自伊斯坦布尔的 30 位训练书写者（7,494 个笔写数字，每个用随机画笔绘制 {copies} 次，和画板上一样）",
    "data.styles": "两者都缺少的各种世界书写风格，每种合成 {samples} 个样本（带钩的 1、带横杠的 7、带斜线的 0、开口的 4、带圈的 2、直杆的 9）",
    "data.letters": "作为“不是数字”：笔写的字母和符号（pen-letters 的训练书写者；写得像数字的已去掉）",
    "data.omniglot": "用鼠标画的八种文字的字符（Omniglot）",
    "data.doodles": "{kinds} 种涂鸦，每种合成 {samples} 个（笑脸、星星、爱心、螺旋、乱涂……）",
    "per_class.none": "这个检查点没有记录每个数字的准确率。",
    "per_class.header": "| 数字 | 测试准确率 | 认错 |",
    "weights.first_member": "第一个成员的第一层",
    "weights.first_layer": "第一层",
    "weights.caption": (
        "{layer}的权重，每个单元一张 28×28 的图（显示 {total} 个中的 {shown} 个），经过 `make_grid`："
        "红色像素让这个单元的值变大，蓝色让它变小。"
    ),
    "weights.templates": "对单层模型来说，这就是十个数字 0 到 9 的模板。",
    # --- Train tab ------------------------------------------------------------------------------------
    "train.intro": (
        "在服务器的 CPU 上，用 MNIST 的 60,000 个训练数字训练你自己的全连接网络，训练循环和预置模型相同。"
        "看着损失下降、测试准确率上升，然后用它来手写识别。每次最多 {epochs} 轮、{seconds} 秒；一次只运行一个。"
    ),
    "train.model": "模型",
    "train.hidden": "MLP 隐藏层大小",
    "train.hidden_info": "例如 256 或 512, 256（最多 {layers} 层，每层最多 {width} 个单元）",
    "train.optimizer": "优化器",
    "optimizer.adam": "Adam（教程里的）",
    "optimizer.adamw": "AdamW",
    "optimizer.sgd": "带动量的 SGD",
    "train.lr": "学习率（one-cycle 调度的峰值）",
    "train.batch_size": "批大小",
    "train.epochs": "轮数",
    "train.augment": "数据增强（随机平移、旋转、缩放；更慢）",
    "train.seed": "随机种子",
    "train.start": "开始训练",
    "train.stop": "停止",
    "train.ready": "选好设置，然后按 **开始训练**。",
    "train.loss_title": "训练损失",
    "train.accuracy_title": "测试准确率",
    "train.epoch_axis": "轮",
    "train.digits": "十个测试数字和模型当前的回答",
    "train.download": "下载你的检查点（{suffix}）",
    "train.draw": "✏️ 用你的模型手写识别",
    "train.already": "⚠️ 你已经有一个训练在进行：每位访客一次只能运行一个。请先停止它。",
    "train.queue_full": "训练队列已满；请一分钟后再试。",
    "train.per_visitor": "来自你的地址的 {count} 个训练已经在排队或进行中；等其中一个结束后再试。",
    "train.stopped_before": "在开始之前就停止了。",
    "train.waiting": "⏳ **训练队列：前面还有 {ahead} 个**（{wait}）。有空位时你的训练就会开始（每次 ≤ {seconds} 秒）。",
    "train.starting": "正在开始……",
    "train.failed": "⚠️ 训练失败：{why}",
    "train.no_model": "没有得到模型",
    "train.nothing": "没有正在进行的训练。",
    "train.stopping": "⏹️ 这一步结束后停止……",
    "train.stopped_by_you": "你（停止按钮）",
    "train.stopped_by_limit": "{seconds} 秒的时间上限",
    "train.progress": "**训练中：** 第 {epoch}/{epochs} 轮 · 第 {step:,}/{total:,} 步（{share:.0%}）· {seconds:.1f} 秒{accuracy}",
    "train.progress_accuracy": " · 测试准确率 {accuracy:.1%}",
    "train.done": "完成",
    "train.stopped": "被{who}停止",
    "train.summary": (
        "### ✅ {how}：在 10,000 张 MNIST 测试图像上达到 {accuracy:.2%}\n"
        "{title}，{epochs} 轮，用时 {seconds:.1f} 秒。你的模型现在在页面顶部的模型列表中（只对这个浏览器标签页有效）："
        "按 **用你的模型手写识别** 试试，或者下载它的检查点（它的文件夹的 zip：解压后用 `mnist_core.predict.Classifier.load` 加载这个文件夹）。"
    ),
    "train.test_digit_alt": "测试数字 {label}",
    "train.live_series": "{count:,} 张测试图像，实时",
    "train.all_series": "全部 {count:,} 张测试图像",
    "wait.under_a_minute": "不到一分钟",
    "wait.minutes": "大约 {minutes} 分钟",
    "wait.minutes.1": "大约 1 分钟",
    "settings.hidden_numbers": "隐藏层大小必须是用逗号分隔的整数，例如 512, 256（而不是 {text}）。",
    "settings.hidden_bounds": "请选择 1 到 {layers} 个隐藏层，每层 1 到 {width} 个单元，例如 256 或 512, 256。",
    "settings.number": "{what}必须是一个数字。",
    "settings.finite": "{what}必须是一个有限的数字。",
    "settings.whole": "{what}必须是一个整数。",
    "settings.model": "请选择单层模型或 MLP。",
    "settings.optimizer": "请选择 Adam、AdamW 或 SGD。",
    "settings.lr": "请选择 0.00001 到 1 之间的学习率。",
    "settings.batch_size": "请从 {sizes} 中选择批大小。",
    "settings.epochs": "请选择 1 到 {most} 轮。",
    "what.lr": "学习率",
    "what.batch_size": "批大小",
    "what.epochs": "轮数",
    "what.seed": "随机种子",
}

# Gradio 6.31's own words that its zh-CN locale lacks (the image editor's toolbar, the footer's run
# history), under Gradio's keys: the page supplies them through gr.I18n.
GRADIO_WORDS: dict[str, str] = {
    "image_editor.brush": "画笔",
    "image_editor.brush_size": "画笔大小",
    "image_editor.erase": "橡皮擦",
    "image_editor.eraser_size": "橡皮擦大小",
    "image_editor.clear_canvas": "清空画布",
    "image_editor.color": "颜色",
    "image_editor.pan": "平移",
    "image_editor.zoom_in": "放大",
    "image_editor.zoom_out": "缩小",
    "image_editor.fit_to_screen": "适应屏幕",
    "image_editor.redo": "重做",
    "image_editor.select_draw_tool": "选择画笔开始书写",
    "image_editor.layer": "图层",
    "image_editor.layers": "图层",
    "image_editor.show_layers": "显示图层",
    "image_editor.add_layer": "添加图层",
    "image_editor.crop": "裁剪",
    "image_editor.confirm_crop": "确认裁剪",
    "image_editor.resize": "调整大小",
    "image_editor.save_changes": "保存更改",
    "image_editor.upload": "上传",
    "image_editor.upload_image": "上传图片",
    "image_editor.paste": "粘贴",
    "image_editor.webcam": "摄像头",
    "common.undo": "撤销",  # Gradio's own zh-CN word, here for the toolbar's renaming (demo/page/name_toolbar.js)
    "common.complete": "完成",  # what the status tracker announces as an event ends
    "common.progress": "进度",
    "common.runs": "运行记录",
    "common.runs_description": "查看保存在这个浏览器里的运行记录",
    "common.back_to_app": "应用",
    "common.back_to_app_description": "返回应用",
}
