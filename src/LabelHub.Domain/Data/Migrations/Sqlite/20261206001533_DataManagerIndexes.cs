using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Sqlite
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
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "prediction_score",
                table: "items",
                type: "REAL",
                nullable: true);

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

            // The search index and the backfill of search_text, agreement and prediction_score (raw SQL, one place).
            LabelHub.Domain.Collection.ItemSearchIndex.Up(migrationBuilder, DatabaseProvider.Sqlite);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            LabelHub.Domain.Collection.ItemSearchIndex.Down(migrationBuilder, DatabaseProvider.Sqlite);

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
