using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Tests.Planning;

public sealed class SchemaValidatorTests
{
    private static ValidationErrors Check(params LabelField[] fields)
    {
        var errors = new ValidationErrors();
        SchemaValidator.Validate(new LabelSchema { Fields = fields }, errors);
        return errors;
    }

    private static Dictionary<string, string[]> ErrorsOf(ValidationErrors errors) =>
        errors.Any ? (Dictionary<string, string[]>)Assert.Throws<ValidationException>(errors.ThrowIfAny).Errors : [];

    [Fact]
    public void A_schema_with_every_field_kind_is_valid()
    {
        var errors = Check(
            new LabelField { Name = "c", Kind = FieldKind.Choice, Labels = ["x", "y"] },
            new LabelField { Name = "m", Kind = FieldKind.MultiChoice, Labels = ["x"], Min = 0, Max = 1 },
            new LabelField { Name = "s", Kind = FieldKind.Spans, Labels = ["PER"] },
            new LabelField { Name = "b", Kind = FieldKind.Boxes, Labels = ["car"] },
            new LabelField { Name = "t", Kind = FieldKind.Text, MaxLength = 10, Pattern = "^a" },
            new LabelField { Name = "n", Kind = FieldKind.Number, Min = 1, Max = 2 },
            new LabelField { Name = "d", Kind = FieldKind.Date },
            new LabelField { Name = "r", Kind = FieldKind.Rating, Max = 5 });
        Assert.False(errors.Any);
    }

    [Fact]
    public void Problems_are_keyed_by_field_position()
    {
        var errors = ErrorsOf(Check(
            new LabelField { Name = "ok", Kind = FieldKind.Choice, Labels = ["a", "a"] },
            new LabelField { Name = "bad name!", Kind = FieldKind.Text, Pattern = "(" },
            new LabelField { Name = "OK", Kind = FieldKind.Number, Min = 5, Max = 1 },
            new LabelField { Name = "r", Kind = FieldKind.Rating, Max = 20 },
            new LabelField { Name = "t", Kind = FieldKind.Text, Labels = ["x"] }));
        Assert.Contains("listed twice", errors["schema.fields[0].labels"][0]);
        Assert.Contains("not a valid field name", errors["schema.fields[1].name"][0]);
        Assert.Contains("regular expression", errors["schema.fields[1].pattern"][0]);
        Assert.Contains("used twice", errors["schema.fields[2].name"][0]);
        Assert.Contains("greater than max", errors["schema.fields[2].min"][0]);
        Assert.Contains("2 to 10", errors["schema.fields[3].max"][0]);
        Assert.Contains("has no labels", errors["schema.fields[4].labels"][0]);
    }

    [Fact]
    public void An_empty_schema_is_refused()
    {
        Assert.Contains("at least one field", ErrorsOf(Check())["schema.fields"][0]);
    }
}
