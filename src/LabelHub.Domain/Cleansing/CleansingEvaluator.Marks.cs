using System.Globalization;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Cleansing;

/// <summary>The checks on span and box answers: minimum size, words cut, overlaps the project forbids.</summary>
public sealed partial class CompiledRuleSet
{
    private sealed class SpanMinLengthCheck(SpanMinLengthRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        private readonly HashSet<string>? labels = LabelFilter(rule.Labels);

        public override void Apply(ref EvaluationContext context)
        {
            if (context.Get(Slot).Clean is not SpansAnswer { Spans: var spans })
            {
                return;
            }
            var text = AnswerCodec.SourceText(Field, context.ItemData);
            for (var i = 0; i < spans.Count; i++)
            {
                var span = spans[i];
                if (labels is not null && !labels.Contains(span.Label))
                {
                    continue;
                }
                var length = text is not null && span.Start >= 0 && span.End <= text.Length && span.End > span.Start
                    ? TextForms.VisibleLength(text.AsSpan(span.Start, span.End - span.Start))
                    : span.Length;
                if (length < rule.MinLength)
                {
                    context.Flag(this, $"Span {i + 1} is shorter than {rule.MinLength} characters.");
                    return;
                }
            }
        }
    }

    private sealed class SpanCutsWordCheck(SpanCutsWordRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        private readonly HashSet<string>? labels = LabelFilter(rule.Labels);

        // Longest first, so "에서" wins over "서" when both are listed.
        private readonly string[] suffixes = [.. rule.AllowedSuffixes.Where(s => s.Length > 0).OrderByDescending(s => s.Length)];

        public override void Apply(ref EvaluationContext context)
        {
            if (context.Get(Slot).Clean is not SpansAnswer { Spans: var spans } || spans.Count == 0)
            {
                return;
            }
            var text = AnswerCodec.SourceText(Field, context.ItemData);
            if (text is null)
            {
                context.Flag(this, "The item has no text for this field.");
                return;
            }
            List<SpanValue>? widened = null;
            var firstCut = -1;
            for (var i = 0; i < spans.Count; i++)
            {
                var span = spans[i];
                if ((labels is not null && !labels.Contains(span.Label)) || span.Start < 0 || span.End > text.Length || span.End <= span.Start)
                {
                    continue;
                }
                var startCut = TextForms.InsideWord(text, span.Start);
                var wordEnd = TextForms.WordEnd(text, span.End);
                var end = wordEnd == span.End ? span.End : EndBeforeSuffix(text, span.End, wordEnd);
                if (!startCut && end == span.End)
                {
                    continue;
                }
                if (firstCut < 0)
                {
                    firstCut = i;
                    widened = [.. spans];
                }
                var start = startCut ? TextForms.WordStart(text, span.Start) : span.Start;
                widened![i] = span with { Start = start, End = end, Text = span.Text is null ? null : text[start..end] };
            }
            if (firstCut >= 0)
            {
                context.Fix(this, new SpansAnswer(widened!), $"Span {firstCut + 1} cuts a word.");
            }
        }

        /// <summary>Where a span ending inside a word should end: before an allowed suffix that finishes the word, else at the word's end.</summary>
        private int EndBeforeSuffix(string text, int end, int wordEnd)
        {
            foreach (var suffix in suffixes)
            {
                var suffixStart = wordEnd - suffix.Length;
                if (suffixStart >= end && text.AsSpan(suffixStart, suffix.Length).SequenceEqual(suffix))
                {
                    // The span may end right before the suffix; anything between is part of the word.
                    return suffixStart;
                }
            }
            return wordEnd;
        }
    }

    private sealed class SpanOverlapCheck(SpanOverlapRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        private readonly HashSet<string> labels = rule.Labels.ToHashSet(StringComparer.Ordinal);

        public override void Apply(ref EvaluationContext context)
        {
            if (context.Get(Slot).Clean is not SpansAnswer { Spans: var spans })
            {
                return;
            }
            for (var i = 0; i < spans.Count; i++)
            {
                if (!labels.Contains(spans[i].Label))
                {
                    continue;
                }
                for (var j = i + 1; j < spans.Count; j++)
                {
                    if (labels.Contains(spans[j].Label) && spans[i].OverlapWith(spans[j]) > 0)
                    {
                        context.Flag(this, $"Spans {i + 1} and {j + 1} overlap.");
                        return;
                    }
                }
            }
        }
    }

    private sealed class BoxMinSizeCheck(BoxMinSizeRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        private readonly HashSet<string>? labels = LabelFilter(rule.Labels);

        public override void Apply(ref EvaluationContext context)
        {
            if (context.Get(Slot).Clean is not BoxesAnswer { Boxes: var boxes })
            {
                return;
            }
            (int Width, int Height)? image = rule.Unit == BoxUnit.Pixel && context.ItemData is { } data && Collection.MediaUrls.TryGetSize(data, out var w, out var h)
                ? (w, h) : null;
            for (var i = 0; i < boxes.Count; i++)
            {
                var box = boxes[i];
                if (labels is not null && !labels.Contains(box.Label))
                {
                    continue;
                }
                (double Width, double Height)? size = rule.Unit switch
                {
                    BoxUnit.Fraction => (box.Width, box.Height),
                    BoxUnit.Pixel => box is { WidthPx: { } wPx, HeightPx: { } hPx } ? (wPx, hPx)
                        : image is var (imageWidth, imageHeight) ? (box.Width * imageWidth, box.Height * imageHeight)
                        : null,
                };
                if (size is var (width, height) && (width < rule.MinWidth || height < rule.MinHeight))
                {
                    context.Flag(this, $"Box {i + 1} is smaller than the minimum size.");
                    return;
                }
            }
        }
    }

    private sealed class BoxOverlapCheck(BoxOverlapRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        private readonly HashSet<string> labels = rule.Labels.ToHashSet(StringComparer.Ordinal);

        public override void Apply(ref EvaluationContext context)
        {
            if (context.Get(Slot).Clean is not BoxesAnswer { Boxes: var boxes })
            {
                return;
            }
            for (var i = 0; i < boxes.Count; i++)
            {
                if (!labels.Contains(boxes[i].Label))
                {
                    continue;
                }
                for (var j = i + 1; j < boxes.Count; j++)
                {
                    if (labels.Contains(boxes[j].Label) && IoU(boxes[i], boxes[j]) is var iou && iou > rule.MaxIoU)
                    {
                        var shown = iou.ToString("0.###", CultureInfo.InvariantCulture);
                        context.Flag(this, $"Boxes {i + 1} and {j + 1} overlap with IoU {shown}.");
                        return;
                    }
                }
            }
        }

        public static double IoU(BoxValue a, BoxValue b)
        {
            var width = Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X);
            var height = Math.Min(a.Y + a.Height, b.Y + b.Height) - Math.Max(a.Y, b.Y);
            if (width <= 0 || height <= 0)
            {
                return 0;
            }
            var intersection = width * height;
            return intersection / ((a.Width * a.Height) + (b.Width * b.Height) - intersection);
        }
    }
}
