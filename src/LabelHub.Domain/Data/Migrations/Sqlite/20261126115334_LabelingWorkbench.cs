using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    /// <summary>Defaults fill existing rows: "{}" is the default of each typed JSON value, existing answers are unreviewed.</summary>
    public partial class LabelingWorkbench : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_items_project_id_taken_slots_id",
                table: "items");

            migrationBuilder.AddColumn<string>(
                name: "labeling",
                table: "projects",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<string>(
                name: "gold_answer",
                table: "items",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<bool>(
                name: "is_gold",
                table: "items",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "priority",
                table: "items",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<string>(
                name: "draft",
                table: "assignments",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<long>(
                name: "draft_saved_at",
                table: "assignments",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "prediction_id",
                table: "annotations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "review_status",
                table: "annotations",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Unreviewed");

            migrationBuilder.CreateTable(
                name: "guideline_acknowledgements",
                columns: table => new
                {
                    project_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    acknowledged_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_guideline_acknowledgements", x => new { x.project_id, x.user_id, x.version });
                    table.ForeignKey(
                        name: "fk_guideline_acknowledgements_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "predictions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    project_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    item_id = table.Column<long>(type: "INTEGER", nullable: false),
                    model_version = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    score = table.Column<double>(type: "REAL", nullable: true),
                    values = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_predictions", x => x.id);
                    table.ForeignKey(
                        name: "fk_predictions_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "reviews",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    project_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    item_id = table.Column<long>(type: "INTEGER", nullable: false),
                    annotator_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    annotation_id = table.Column<long>(type: "INTEGER", nullable: false),
                    fixed_annotation_id = table.Column<long>(type: "INTEGER", nullable: true),
                    reviewer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    decision = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    comment = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_reviews", x => x.id);
                    table.ForeignKey(
                        name: "fk_reviews_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_is_gold_taken_slots_priority_id",
                table: "items",
                columns: new[] { "project_id", "is_gold", "taken_slots", "priority", "id" },
                descending: new[] { false, false, true, true, false });

            migrationBuilder.CreateIndex(
                name: "ix_annotations_project_id_is_current_review_status_id",
                table: "annotations",
                columns: new[] { "project_id", "is_current", "review_status", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_predictions_item_id_created_at",
                table: "predictions",
                columns: new[] { "item_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_reviews_item_id_annotator_id",
                table: "reviews",
                columns: new[] { "item_id", "annotator_id" });

            migrationBuilder.CreateIndex(
                name: "ix_reviews_project_id_created_at",
                table: "reviews",
                columns: new[] { "project_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "guideline_acknowledgements");

            migrationBuilder.DropTable(
                name: "predictions");

            migrationBuilder.DropTable(
                name: "reviews");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_is_gold_taken_slots_priority_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_annotations_project_id_is_current_review_status_id",
                table: "annotations");

            migrationBuilder.DropColumn(
                name: "labeling",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "gold_answer",
                table: "items");

            migrationBuilder.DropColumn(
                name: "is_gold",
                table: "items");

            migrationBuilder.DropColumn(
                name: "priority",
                table: "items");

            migrationBuilder.DropColumn(
                name: "draft",
                table: "assignments");

            migrationBuilder.DropColumn(
                name: "draft_saved_at",
                table: "assignments");

            migrationBuilder.DropColumn(
                name: "prediction_id",
                table: "annotations");

            migrationBuilder.DropColumn(
                name: "review_status",
                table: "annotations");

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_taken_slots_id",
                table: "items",
                columns: new[] { "project_id", "taken_slots", "id" });
        }
    }
}
