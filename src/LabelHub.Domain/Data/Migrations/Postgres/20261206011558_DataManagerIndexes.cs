using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DataManagerIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "agreement",
                table: "items",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "prediction_score",
                table: "items",
                type: "double precision",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "item_labels",
                columns: table => new
                {
                    item_id = table.Column<long>(type: "bigint", nullable: false),
                    field = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    label = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_item_labels", x => new { x.item_id, x.field, x.label });
                    table.ForeignKey(
                        name: "fk_item_labels_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_agreement_id",
                table: "items",
                columns: new[] { "project_id", "agreement", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_created_at_id",
                table: "items",
                columns: new[] { "project_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_prediction_score_id",
                table: "items",
                columns: new[] { "project_id", "prediction_score", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_priority_id",
                table: "items",
                columns: new[] { "project_id", "priority", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_source_id_id",
                table: "items",
                columns: new[] { "project_id", "source_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_submitted_count_id",
                table: "items",
                columns: new[] { "project_id", "submitted_count", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_item_labels_project_id_field_label_item_id",
                table: "item_labels",
                columns: new[] { "project_id", "field", "label", "item_id" });

            // The search index and the backfill of search_text, agreement and prediction_score (raw SQL, one place).
            LabelHub.Domain.Collection.ItemSearchIndex.Up(migrationBuilder, DatabaseProvider.Postgres);

            // item_labels of the answers given before this migration (ItemLabelRows).
            LabelHub.Domain.Collection.ItemSearchIndex.UpLabels(migrationBuilder, DatabaseProvider.Postgres);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            LabelHub.Domain.Collection.ItemSearchIndex.Down(migrationBuilder, DatabaseProvider.Postgres);

            migrationBuilder.DropTable(
                name: "item_labels");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_agreement_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_created_at_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_prediction_score_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_priority_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_source_id_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_submitted_count_id",
                table: "items");

            migrationBuilder.DropColumn(
                name: "agreement",
                table: "items");

            migrationBuilder.DropColumn(
                name: "prediction_score",
                table: "items");
        }
    }
}
