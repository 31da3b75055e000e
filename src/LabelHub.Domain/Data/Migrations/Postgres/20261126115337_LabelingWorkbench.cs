using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Postgres
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
                type: "jsonb",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<string>(
                name: "gold_answer",
                table: "items",
                type: "jsonb",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<bool>(
                name: "is_gold",
                table: "items",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "priority",
                table: "items",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<string>(
                name: "draft",
                table: "assignments",
                type: "jsonb",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "draft_saved_at",
                table: "assignments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "prediction_id",
                table: "annotations",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "review_status",
                table: "annotations",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Unreviewed");

            migrationBuilder.CreateTable(
                name: "guideline_acknowledgements",
                columns: table => new
                {
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    acknowledged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    item_id = table.Column<long>(type: "bigint", nullable: false),
                    model_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    score = table.Column<double>(type: "double precision", nullable: true),
                    values = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    item_id = table.Column<long>(type: "bigint", nullable: false),
                    annotator_id = table.Column<Guid>(type: "uuid", nullable: false),
                    annotation_id = table.Column<long>(type: "bigint", nullable: false),
                    fixed_annotation_id = table.Column<long>(type: "bigint", nullable: true),
                    reviewer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    decision = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    comment = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
