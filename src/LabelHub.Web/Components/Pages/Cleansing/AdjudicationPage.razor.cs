using LabelHub.Domain;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Labeling;
using LabelHub.Web.Identity;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace LabelHub.Web.Components.Pages.Cleansing;

/// <summary>
/// The adjudication queue, keyboard first like the workbench: one item at a time with every finding on it; A accepts the
/// selected finding's suggestion, E opens the answer in the editor (Ctrl+Enter saves), D dismisses, J/K (↓/↑) move
/// between findings, S skips the item, H shows the answer's history (restore there), ? the keys. After every action the
/// next open finding is selected, the next item loaded when none is left, and the focus goes back to the findings.
/// </summary>
public sealed partial class AdjudicationPage
{
    private DotNetObjectReference<AdjudicationPage>? selfReference;
    private Actor actor = default!;
    private Project? project;
    private Guid? loadedProjectId;
    private long? loadedItemId;
    private string? loadError;
    private string? actionError;
    private bool busy;
    private bool focusFindings;

    private AdjudicationQueueSummary? summary;
    private AdjudicationItem? item;
    private int selected;
    private FindingSource? sourceFilter;

    /// <summary>Items passed over with S: not handed out again until the list is cleared.</summary>
    private readonly List<long> skipped = [];

    private bool editing;
    private AdjudicationAnswer? editTarget;
    private AnswerDraft? draft;
    private AnswerEditor? editor;
    private Dictionary<string, string[]> fieldErrors = [];
    private string? note;

    private bool historyOpen;
    private AnnotationHistory? history;
    private string? historyError;
    private bool helpOpen;

    private FindingView? Selected => item is { Open.Count: > 0 } shown ? shown.Open[Math.Clamp(selected, 0, shown.Open.Count - 1)] : null;

    protected override async Task OnParametersSetAsync()
    {
        if (loadedProjectId == ProjectId && loadedItemId == ItemId)
        {
            return;
        }
        (loadedProjectId, loadedItemId) = (ProjectId, ItemId);
        actor = (await AuthState).User.ToActor();
        try
        {
            project = await Projects.GetAsync(actor, ProjectId);
            draft = new AnswerDraft(project.Schema);
            if (ItemId is { } asked)
            {
                // One item asked for by its id: shown with its findings and history whether or not any is still open.
                item = await Adjudication.ItemAsync(actor, ProjectId, asked);
                summary = await Adjudication.SummaryAsync(actor, ProjectId);
                selected = 0;
            }
            else
            {
                await LoadNextAsync();
            }
            loadError = null;
        }
        catch (DomainException ex)
        {
            project = null;
            loadError = ex.Message;
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (project is not null && selfReference is null)
        {
            selfReference = DotNetObjectReference.Create(this);
            await JS.InvokeVoidAsync("labelHub.registerAdjudicationShortcuts", selfReference);
            focusFindings = true;
        }
        if (focusFindings)
        {
            focusFindings = false;
            await JS.InvokeVoidAsync("labelHub.focusFindings");
        }
    }

    /// <summary>Called by wwwroot/app.js for the page's keys.</summary>
    [JSInvokable]
    public async Task OnAdjudicationKey(string key)
    {
        if (project is null)
        {
            return;
        }
        switch (key)
        {
            case "?":
                helpOpen = !helpOpen;
                break;
            case "Escape" when helpOpen:
                helpOpen = false;
                break;
            case "Escape" when historyOpen:
                historyOpen = false;
                focusFindings = true;
                break;
            case "Escape" when editing:
                CloseEditor();
                break;
            case "Submit" when editing:
                await SaveCorrectionAsync();
                break;
            case "Undo" when editing && editor is not null:
                await editor.UndoAsync();
                break;
            case "a" when !editing && !historyOpen:
                await AcceptAsync();
                break;
            case "e" when !editing && !historyOpen:
                OpenEditor();
                break;
            case "d" when !editing && !historyOpen:
                await DismissAsync();
                break;
            case "j" when !editing:
                Move(1);
                break;
            case "k" when !editing:
                Move(-1);
                break;
            case "s" when !editing && !historyOpen:
                await SkipAsync();
                break;
            case "h" when !editing:
                await ToggleHistoryAsync();
                break;
        }
        StateHasChanged();
    }

    private void Move(int delta)
    {
        if (item is { Open.Count: > 0 } shown)
        {
            selected = (Math.Clamp(selected, 0, shown.Open.Count - 1) + delta + shown.Open.Count) % shown.Open.Count;
        }
    }

    private async Task LoadNextAsync()
    {
        var next = await Adjudication.NextAsync(actor, ProjectId, sourceFilter, skipped);
        (item, summary, selected) = (next.Item, next.Summary, 0);
        CloseEditor();
        historyOpen = false;
    }

    /// <summary>The item again as it now stands; on to the next one when nothing on it is open any more.</summary>
    private async Task RefreshAsync()
    {
        if (item is not { } shown)
        {
            await LoadNextAsync();
            return;
        }
        var at = selected;
        item = await Adjudication.ItemAsync(actor, ProjectId, shown.ItemId);
        summary = await Adjudication.SummaryAsync(actor, ProjectId);
        if (item.Open.Count == 0 || (sourceFilter is { } only && item.Open.All(f => f.Source != only)))
        {
            await LoadNextAsync();
        }
        else
        {
            selected = Math.Min(at, item.Open.Count - 1);
        }
        focusFindings = true;
    }

    private async Task SourceChangedAsync(FindingSource? source)
    {
        sourceFilter = source;
        skipped.Clear();
        await RunAsync(LoadNextAsync);
    }

    private async Task CheckAgainAsync()
    {
        skipped.Clear();
        await RunAsync(LoadNextAsync);
    }

    private async Task SkipAsync()
    {
        if (item is { } shown)
        {
            skipped.Add(shown.ItemId);
            if (skipped.Count > AdjudicationService.MaxSkipped)
            {
                skipped.RemoveAt(0);
            }
        }
        await RunAsync(LoadNextAsync);
    }

    private async Task AcceptAsync()
    {
        if (Selected is not { } finding)
        {
            return;
        }
        if (finding.Suggestion is null)
        {
            actionError = L["This finding has no suggestion: press E to correct the answer or D to dismiss it."];
            return;
        }
        await DecideAsync(async () =>
        {
            await Adjudication.AcceptAsync(actor, ProjectId, finding.Id);
            Snackbar.Add(L["Suggestion accepted"], Severity.Success);
        });
    }

    private async Task DismissAsync()
    {
        if (Selected is not { } finding)
        {
            return;
        }
        await DecideAsync(async () =>
        {
            await Adjudication.DismissAsync(actor, ProjectId, finding.Id, null);
            Snackbar.Add(L["Finding dismissed"], Severity.Info);
        });
    }

    /// <summary>The selected finding's answer (for one about the whole item, the first answer; another can be picked) in the editor.</summary>
    private void OpenEditor()
    {
        if (item is not { } shown || Selected is not { } finding || shown.Answers.Count == 0)
        {
            return;
        }
        editTarget = shown.Answers.FirstOrDefault(a => a.AnnotatorId == finding.AnnotatorId) ?? shown.Answers[0];
        draft!.Reset(editTarget.Values);
        fieldErrors = [];
        note = null;
        actionError = null;
        editing = true;
    }

    private void EditAnswerChanged(long annotationId)
    {
        if (item?.Answers.FirstOrDefault(a => a.AnnotationId == annotationId) is { } answer)
        {
            editTarget = answer;
            draft!.Reset(answer.Values);
            fieldErrors = [];
        }
    }

    private void CloseEditor()
    {
        if (editing)
        {
            focusFindings = true;
        }
        editing = false;
        editTarget = null;
        fieldErrors = [];
    }

    private async Task SaveCorrectionAsync()
    {
        if (Selected is not { } finding || editTarget is not { } target || busy)
        {
            return;
        }
        var values = editor?.Values() ?? draft!.ToValues();
        busy = true;
        actionError = null;
        try
        {
            await Adjudication.CorrectAsync(actor, ProjectId, finding.Id, new CorrectFindingRequest(target.AnnotationId, values, note));
            Snackbar.Add(L["Correction saved"], Severity.Success);
            CloseEditor();
            await RefreshAsync();
        }
        catch (ValidationException ex)
        {
            (fieldErrors, var other) = draft!.SplitErrors(ex, "note");
            actionError = other ?? L["Please correct the marked fields."].Value;
        }
        catch (ConflictException ex)
        {
            Snackbar.Add(ex.Message, Severity.Warning);
            CloseEditor();
            await RefreshAsync();
        }
        catch (DomainException ex)
        {
            actionError = ex.Message;
        }
        finally
        {
            busy = false;
        }
    }

    /// <summary>A decision, then the item as it stands; someone else's decision first (409) is said and the item reloaded.</summary>
    private async Task DecideAsync(Func<Task> decide)
    {
        if (busy)
        {
            return;
        }
        busy = true;
        actionError = null;
        try
        {
            await decide();
            await RefreshAsync();
        }
        catch (ConflictException ex)
        {
            Snackbar.Add(ex.Message, Severity.Warning);
            await RefreshAsync();
        }
        catch (DomainException ex)
        {
            actionError = ex.Message;
        }
        finally
        {
            busy = false;
        }
    }

    private async Task ToggleHistoryAsync()
    {
        if (historyOpen)
        {
            historyOpen = false;
            focusFindings = true;
            return;
        }
        if (item is not { Answers.Count: > 0 } shown)
        {
            return;
        }
        var annotatorId = Selected?.AnnotatorId ?? shown.Answers[0].AnnotatorId;
        historyOpen = true;
        await LoadHistoryAsync(shown.ItemId, annotatorId);
    }

    private async Task LoadHistoryAsync(long itemId, Guid annotatorId)
    {
        (history, historyError) = (null, null);
        try
        {
            history = await Reviews.HistoryAsync(actor, itemId, annotatorId);
        }
        catch (DomainException ex)
        {
            historyError = ex.Message;
        }
    }

    private async Task RestoreAsync(AnnotationVersionInfo version)
    {
        if (history is not { } shown || busy)
        {
            return;
        }
        busy = true;
        try
        {
            var restored = await Adjudication.RestoreAsync(actor, version.AnnotationId);
            Snackbar.Add(L["Version {0} restored as version {1}", restored.RestoredVersion, restored.Version], Severity.Success);
            await LoadHistoryAsync(shown.ItemId, shown.AnnotatorId);
            if (item is not null)
            {
                item = await Adjudication.ItemAsync(actor, ProjectId, item.ItemId);
            }
        }
        catch (DomainException ex)
        {
            historyError = ex.Message;
        }
        finally
        {
            busy = false;
        }
    }

    private async Task RunAsync(Func<Task> action)
    {
        if (busy)
        {
            return;
        }
        busy = true;
        actionError = null;
        try
        {
            await action();
            focusFindings = true;
        }
        catch (DomainException ex)
        {
            actionError = ex.Message;
        }
        finally
        {
            busy = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (project is not null)
        {
            // The item held for this reviewer goes back to the queue at once, not when its claim runs out.
            Adjudication.Leave(actor, ProjectId);
        }
        if (selfReference is null)
        {
            return;
        }
        try
        {
            await JS.InvokeVoidAsync("labelHub.unregisterAdjudicationShortcuts");
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone, and its listener with it.
        }
        selfReference.Dispose();
    }
}
